"""Everything WeChat: outbound clients, shared tokens, the local simulator, push builder."""
