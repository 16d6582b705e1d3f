"""Reading the repository: YAML as editors write it, the field declaration, items, manifests, the
configuration, an item's body as sanitised HTML."""
