"""Everything Qt. May import ``bertdesk.core``; core never imports this package."""
