"""A bible's galleries: the files of a project, character, location, scene or moodboard —
pages, the assets API, and what an asset means to the bible (cover, reference sheet). Storing
and serving the files themselves is media's."""
