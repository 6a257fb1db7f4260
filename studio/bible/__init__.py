"""The IP bible: projects and their sections (story and beats, characters and relationships,
world and locations, scenes and the script, moodboards) and publishing — pages, API and forms.
Their writes are studio/services.py and studio/moodboards.py, their reads studio/selectors.py."""
