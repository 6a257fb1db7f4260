"""The admin site's pages that are assembled from several apps' admin pieces (modo may import the
apps here; the apps never import each other upwards)."""
