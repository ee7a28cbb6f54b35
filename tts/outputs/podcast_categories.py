"""Apple Podcasts' categories: the only values ``itunes:category`` may take, as data.

Apple lists them at podcasters.apple.com ("Apple Podcasts categories", the 2019 list still
in force); the Podcast Index's own parser (podcast-partytime) keeps the same list. A feed
names a category, and at most one subcategory of it, by their exact English text.
"""

from __future__ import annotations

import difflib

CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing",
                 "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition",
                         "Sexuality"),
    "History": (),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
                "Home & Garden", "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
             "Sports News", "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism",
                                "Religion", "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
                "Natural Sciences", "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel",
                          "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey",
               "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness",
               "Wrestling"),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
    "Technology": (),
    "True Crime": (),
}
# How a category and its subcategory are written in one option value: "News/Daily News".
SEPARATOR = "/"


def all_names() -> list[str]:
    """Every value ``--feed-category`` takes: each category, then each ``Category/Sub``."""
    return [name for category, subs in CATEGORIES.items()
            for name in (category, *(f"{category}{SEPARATOR}{sub}" for sub in subs))]


def parse_category(value: str) -> tuple[str, str | None] | None:
    """``(category, subcategory)`` in Apple's spelling from ``News`` or ``news/daily news``;
    None when Apple has no such category."""
    category, _, sub = (part.strip() for part in value.partition(SEPARATOR))
    known = {name.casefold(): name for name in CATEGORIES}
    name = known.get(category.casefold())
    if name is None:
        return None
    if not sub:
        return name, None
    subs = {s.casefold(): s for s in CATEGORIES[name]}
    return (name, subs[sub.casefold()]) if sub.casefold() in subs else None


def category_problem(category: str, sub: str | None = None) -> str | None:
    """Why a feed's ``itunes:category`` text (and its subcategory's) is not Apple's, or None."""
    if category not in CATEGORIES:
        return f'"{category}" is not an Apple Podcasts category'
    if sub is not None and sub not in CATEGORIES[category]:
        return f'"{sub}" is not a subcategory of {category}'
    return None


def closest(value: str) -> str | None:
    """The category a mistyped value most likely meant, for the error message."""
    names = {name.casefold(): name for name in all_names()}
    match = difflib.get_close_matches(value.casefold(), names, n=1, cutoff=0.6)
    return names[match[0]] if match else None
