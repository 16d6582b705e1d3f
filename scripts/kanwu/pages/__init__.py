"""The page tree handed to the site engine: Markdown pages generated from an audience's view
(items, issues, listings, statistics, notices, supervision) and their charts."""
