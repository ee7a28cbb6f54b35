"""Everything a render writes besides the audio: subtitles, manifest, read-along page, feed."""
