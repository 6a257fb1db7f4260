"""Watch: the animations and lip-syncs creators chose to show publicly, from their published bibles."""
