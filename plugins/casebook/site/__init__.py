"""Site: the pages, blocks and files made from the Catalogue, and the build's output."""
