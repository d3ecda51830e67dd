"""The chat's look: one stylesheet and the copy-button script (static strings, no user data)."""
from __future__ import annotations

CSS = """
:root { --pqa-blue: #1d4e89; --pqa-blue-soft: #eef3fa; --pqa-line: #d9e1ec; --pqa-muted: #5b6776; }
body, gradio-app, .gradio-container {
  font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif !important;
}
.gradio-container { max-width: 1320px !important; margin: 0 auto !important;
  --button-primary-background-fill: #1d4e89; --button-primary-background-fill-hover: #163d6c;
  --button-primary-border-color: #1d4e89; --button-primary-text-color: #fff;
  --color-accent: #1d4e89; --color-accent-soft: #eef3fa; --checkbox-background-color-selected: #1d4e89;
  --checkbox-border-color-selected: #1d4e89; --border-color-accent: #1d4e89; --loader-color: #1d4e89; }
#pqa-header { display: flex; align-items: baseline; gap: 14px; padding: 6px 2px 2px; border-bottom: 3px solid var(--pqa-blue); }
#pqa-header h1 { margin: 0; font-size: 26px; color: var(--pqa-blue); letter-spacing: 2px; }
#pqa-header span { color: var(--pqa-muted); font-size: 14px; }
.pqa-notices { background: #fff8e6; border: 1px solid #f0d48a; border-radius: 8px; padding: 6px 12px; font-size: 13px; color: #6b4e00; }
.pqa-notices ul { margin: 0; padding-left: 18px; }
.pqa-answer { line-height: 1.75; font-size: 15px; }
.pqa-resolved { font-size: 12px; color: var(--pqa-muted); margin-bottom: 4px; }
.pqa-text-notfound { color: #7a3b00; }
.pqa-outcome { display: inline-block; font-size: 0.85em; padding: 1px 8px; border-radius: 4px; margin-bottom: 4px; }
.pqa-outcome-unstated { background: #fff4d6; color: #7a5200; }
.pqa-outcome-notfound { background: #f3e6dc; color: #7a3b00; }
.pqa-streaming { color: #333; }
.pqa-ref { display: inline-block; min-width: 16px; padding: 0 4px; margin: 0 1px; border-radius: 8px;
  background: var(--pqa-blue) !important; color: #fff !important; font-size: 11px !important; line-height: 16px !important; height: 16px; text-align: center; vertical-align: 4px !important; }
.pqa-note { font-size: 13px; color: var(--pqa-muted); margin-top: 4px; }
.pqa-sources-title { margin: 12px 0 6px; font-size: 13px; font-weight: 600; color: var(--pqa-blue); }
details.pqa-card { border: 1px solid var(--pqa-line); border-left: 4px solid var(--pqa-blue); border-radius: 8px; margin: 8px 0;
  background: #fff; overflow: hidden; }
details.pqa-card > summary { list-style: none; cursor: pointer; padding: 8px 12px; display: block; }
details.pqa-card > summary::-webkit-details-marker { display: none; }
details.pqa-card[open] > summary { background: var(--pqa-blue-soft); border-bottom: 1px solid var(--pqa-line); }
.pqa-card-head { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.pqa-n { display: inline-block; min-width: 20px; height: 20px; border-radius: 10px; background: var(--pqa-blue); color: #fff !important;
  font-size: 12px !important; text-align: center; line-height: 20px !important; flex: 0 0 auto; padding: 0 5px; box-sizing: border-box; }
.pqa-doc { font-weight: 600; color: #1b2430; }
.pqa-facts, .pqa-path { display: block; font-size: 12.5px; color: var(--pqa-muted); margin-top: 2px; }
.pqa-quote { display: block; margin-top: 4px; font-size: 14px; color: #1b2430; }
.pqa-more { display: inline-block; margin-top: 4px; font-size: 12px; color: var(--pqa-blue); }
details.pqa-card[open] .pqa-more { display: none; }
details.pqa-nearest { margin-top: 10px; font-size: 13px; }
details.pqa-nearest > summary { cursor: pointer; color: var(--pqa-muted); }
details.pqa-nearest details.pqa-card { border-left-color: #b9c2cf; }
details.pqa-nearest .pqa-n { background: #8a96a8; }
.pqa-body { padding: 8px 12px 10px; font-size: 14px; }
.pqa-row { font-size: 13px; color: #333; margin-bottom: 4px; }
.pqa-row b { display: inline-block; min-width: 64px; color: var(--pqa-muted); font-weight: 600; }
.pqa-text { margin-top: 6px; padding: 8px 10px; background: #fafbfd; border-radius: 6px; line-height: 1.8; }
.pqa-text mark { background: #ffe58f; padding: 1px 0; border-radius: 2px; }
.pqa-badge { display: inline-block; font-size: 12px; padding: 0 8px; border-radius: 10px; line-height: 20px; white-space: nowrap; }
.pqa-badge-inforce { background: #e3f4e8; color: #1e6b35; border: 1px solid #a8d8b6; }
.pqa-badge-expired { background: #f2f2f2; color: #6b6b6b; border: 1px solid #cfcfcf; }
.pqa-badge-unstated { background: #eef2f8; color: #44556b; border: 1px solid #c5d0de; }
.pqa-mode { display: inline-block; font-size: 12px; padding: 0 8px; margin-bottom: 4px; border-radius: 10px; line-height: 20px; }
.pqa-mode-llm { background: #e3f4e8; color: #1e6b35; border: 1px solid #a8d8b6; }
.pqa-mode-repaired { background: #fff1e0; color: #9a5200; border: 1px solid #f3c48b; }
.pqa-mode-fallback { background: #eef2f8; color: #44556b; border: 1px solid #c5d0de; }
.pqa-badge-draft { background: #fff1e0; color: #9a5200; border: 1px solid #f3c48b; }
table.pqa-docs { width: 100%; border-collapse: collapse; font-size: 13px; }
table.pqa-docs th { text-align: left; background: var(--pqa-blue-soft); color: var(--pqa-blue); padding: 6px 8px; }
table.pqa-docs td { border-top: 1px solid var(--pqa-line); padding: 6px 8px; vertical-align: top; }
#pqa-side .pqa-side-title { font-weight: 600; color: var(--pqa-blue); margin: 2px 0 0; }
#pqa-examples { align-items: center; gap: 8px; }
#pqa-examples button { font-size: 13px !important; flex: 0 1 auto !important; min-width: 0 !important; border-radius: 16px !important;
  background: var(--pqa-blue-soft) !important; color: var(--pqa-blue) !important; border: 1px solid #c9d7ea !important; }
.pqa-examples-label { font-size: 13px; color: var(--pqa-muted); white-space: nowrap; }
ul.pqa-side-docs { list-style: none !important; padding: 0 !important; margin: 4px 0 0 !important; }
ul.pqa-side-docs li::marker { content: none; }
ul.pqa-side-docs li { padding: 8px 0; border-bottom: 1px solid var(--pqa-line); font-size: 13.5px; line-height: 1.6; }
ul.pqa-side-docs li:last-child { border-bottom: none; }
#pqa-chat .pqa-answer { max-width: 860px; }
#pqa-feedback-hint { font-size: 12.5px; color: var(--pqa-muted); padding-top: 6px; }
#pqa-tools { align-items: center; gap: 12px; }
"""

# Copies the hidden plain-text answer; navigator.clipboard needs a secure origin (https or
# localhost), so plain-http intranet pages fall back to a temporary textarea.
COPY_JS = """
(text) => {
  if (!text) { return text; }
  const fallback = () => {
    const area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area); area.select(); document.execCommand("copy"); area.remove();
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).catch(fallback);
  } else { fallback(); }
  return text;
}
"""
