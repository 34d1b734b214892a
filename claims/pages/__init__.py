"""The reader's pages: views, their URLs, and the page cache."""
