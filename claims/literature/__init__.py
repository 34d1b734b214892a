"""The literature: PubMed's E-utilities client, and the refresh that keeps
each paper's metadata, and its verification, up to date."""
