"""app: answering with citations, the CLI, the Gradio chat."""
