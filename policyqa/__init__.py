"""政策问答: a retrieval assistant over Chinese local-government policy documents."""

__version__ = "0.1.0"
