"""The catalog: entities, validation, relations, graph, search, export and import."""
