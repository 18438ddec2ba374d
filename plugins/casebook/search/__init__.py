"""Search: the Whoosh index, its filters, and text similarity for related cases."""
