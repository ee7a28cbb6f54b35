"""The audio stage: clips, pauses, loudness, the limiter, encoders, tags and the player."""
