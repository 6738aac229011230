"""Text messages (短信) to residents' and staff's phones: the last channel that still reaches
someone whose WeChat grants are spent and whose 48-hour window has closed.

``provider`` is what the rest of the service sees; ``tencent`` is production's provider
(Tencent Cloud SMS through its own SDK); ``simulator`` plays Tencent's gateway locally, with
its signature check, templates, signature names, per-number limits and error codes."""
