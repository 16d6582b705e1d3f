"""The site engines: MkDocs builds a release from the page tree, Pagefind indexes it by year;
the local server and the pull request preview."""
