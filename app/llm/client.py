"""The chat model every LLM stage talks to: the configured OpenAI-compatible endpoint through llama-index."""
from __future__ import annotations

from typing import TYPE_CHECKING

from policyqa.config import Settings

if TYPE_CHECKING:
    from llama_index.llms.openai_like import OpenAILike


def chat_model(settings: Settings, *, temperature: float, max_tokens: int, timeout_s: float) -> OpenAILike:
    """A client for settings' model; no retries, since a caller that waits has a fallback instead."""
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(model=settings.llm_model, api_base=settings.llm_base_url,
                      api_key=settings.llm_api_key or "not-needed", is_chat_model=True,
                      timeout=timeout_s, max_retries=0, temperature=temperature, max_tokens=max_tokens)
