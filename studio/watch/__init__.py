"""Watch: the animations creators chose to show publicly, from their published bibles."""
