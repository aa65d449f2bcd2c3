"""T-KEY-5: passphrase policy (NIST SP 800-63B rev. 4)."""

from __future__ import annotations

import unicodedata

import pytest

from imrdesktop.domain.errors import WeakPassphrase, WrongPassphrase
from imrdesktop.storage import kdf
from imrdesktop.storage.passphrase import blocklist, check_passphrase, suggest_passphrase
from imrdesktop.storage.vault import Vault

KNOWN_BAD = [
    # too short (any content)
    "password",
    "123456",
    "qwerty",
    "letmein",
    "iloveyou",
    "Tr0ub4dor&3",
    "abc123",
    "monkey",
    "dragon",
    "short pass",
    # long but on the blocklist, or one blocklisted word repeated
    "passwordpassword",
    "password password",
    "PASSWORDPASSWORD",
    "iloveyouiloveyou",
    "monkeymonkeymonkey",
    "dragondragondragon",
    "sunshinesunshine",
    "football football",
    "princessprincess",
    "123456789987654321",
    "1qaz2wsx3edc4rfv",
    "q1w2e3r4t5y6u7i8",
    "qwertyuiopasdfgh",
    "qwertyuiopasdfghjkl",
    "1234567890qwerty",
    "zxcvbnm123456789",
    "1234qwerasdfzxcv",
    "passwordstandard",
    "mailcreated5240",
    # one character repeated, runs, keyboard walks
    "aaaaaaaaaaaaaaaa",
    "1111111111111111",
    "!!!!!!!!!!!!!!!!",
    "abcdefghijklmnopq",
    "zyxwvutsrqponmlk",
    "1234567890123456",
    "9876543210987654",
    "abcabcabcabcabcabc",
    "xyxyxyxyxyxyxyxyxy",
    # context words, alone, repeated or with digits/punctuation around them
    "imrdesktopimrdesktop",
    "imr desktop imr desktop",
    "dmhcdmhcdmhcdmhc",
    "passphrase12345678",
    "Passphrase!!!!!!!!",
    "password1234567890",
    "Password123456789!",
    "2024Password2024",
    "imrimrimrimrimrimr",
    "Summer2024!!!!!!!",
    "     password     ",
    "changeme changeme",
]

KNOWN_GOOD = [
    "violet tractor sings under 7 moons",
    "correct horse battery staple",
    "elephant 1987 july 23 trip",
    "Ünïcødé passphrase 42 here",
    "my grandmother baked 40 pies",
    "purple-otter-climbs-hills",
    "seven ravens and a kettle",
    "the north window sticks in june",
    "lemon 4 river 9 garden 2",
    "Café au lait at 6 o'clock",
    "zebra orbit mango quilt",
    "our dog Pepper hates thunder",
    "rain on the tin roof at midnight",
    "Tuesdays are for tacos & chess",
    "blue bicycle under the old oak",
    "marble staircase of 99 steps",
    "swift falcons chase slow clouds",
    "I parked near the 3rd lamppost",
    "copper kettle whistles twice",
    "frozen peas cure every bruise",
    "dentist on Friday, then beach",
    "cinnamon toast for breakfast!",
    "nine lives of a lazy orange cat",
    "granite, velvet, thunder, salt",
    "tiny robots dance in the sink",
    "a pineapple wearing sunglasses",
    "planets align over Fresno",
    "Mi perro come zanahorias",
    "el gato duerme en la ventana",
    "Tôi thích uống cà phê sữa đá",
    "我喜欢在下雨天读书和喝一杯热茶",
    "나는 아침에 커피를 마신다 매일",
    "Я люблю гулять по вечерам",
    "Ես սիրում եմ թեյ խմել առավոտյան",
    "أحب قراءة الكتب في المساء",
    "wobbly table, steady hands",
    "the 42nd cup of cocoa tonight",
    "sixteen candles, one wish left",
    "pancakes > waffles, always",
    "mountain echoes keep secrets",
    "salsa dancing with grandpa Lou",
    "umbrella forgotten on bus 38",
    "hummingbirds sip from red cups",
    "two owls argue about jazz",
    "carrot cake beats chocolate",
    "we met at the laundromat in 09",
    "yellow kayak, green river, 5pm",
    "silent library cats nap loudly",
    "quartz clocks tick in octaves",
    "saffron kettle drifts past nine bridges",
]


def test_fifty_known_bad_rejected() -> None:
    assert len(KNOWN_BAD) == 50
    for p in KNOWN_BAD:
        with pytest.raises(WeakPassphrase):
            check_passphrase(p)


def test_fifty_good_accepted() -> None:
    assert len(KNOWN_GOOD) == 50
    for p in KNOWN_GOOD:
        check_passphrase(p)


def test_reasons() -> None:
    with pytest.raises(WeakPassphrase) as e:
        check_passphrase("x" * 14 + "")
    assert e.value.params["reason"] == "too_short"
    with pytest.raises(WeakPassphrase) as e:
        check_passphrase("passwordpassword")
    assert e.value.params["reason"] == "common"
    with pytest.raises(WeakPassphrase) as e:
        check_passphrase("correct horse " * 80)
    assert e.value.params["reason"] == "too_long"
    with pytest.raises(WeakPassphrase) as e:
        check_passphrase("lone surrogate \ud800 in here")
    assert e.value.params["reason"] == "invalid"


def test_length_counts_code_points_after_nfkc() -> None:
    # 15 code points of composed letters, typed decomposed (NFD) they are 30.
    composed = "éàüöñçéàüöñçéàü"
    assert len(composed) == 15
    check_passphrase(unicodedata.normalize("NFD", composed))
    with pytest.raises(WeakPassphrase):
        check_passphrase("éàüöñçéàüöñçéà")  # 14


def test_no_composition_rules_and_spaces_kept() -> None:
    check_passphrase("all lower case words only")
    check_passphrase("   leading and trailing spaces   ")


def test_blocklist_is_large_and_offline() -> None:
    words = blocklist()
    assert len(words) > 90_000
    assert "password" in words and "imrdesktop" in words


def test_suggestions_pass_and_differ() -> None:
    seen = {suggest_passphrase() for _ in range(20)}
    assert len(seen) == 20
    for s in seen:
        assert len(s.split(" ")) == 5
        check_passphrase(s)


def test_256_characters_no_truncation(tmp_path) -> None:
    long = "".join("abcdefghijklmnopqrstuvwxyz0123456789 "[i * 7 % 37] for i in range(256))
    assert len(long) == 256
    check_passphrase(long)
    vault, _ = Vault.create(tmp_path / "v", long)
    vault.lock()
    changed = long[:255] + ("x" if long[255] != "x" else "y")
    with pytest.raises(WrongPassphrase):
        Vault.open(tmp_path / "v", changed)
    Vault.open(tmp_path / "v", long).lock()


def test_nfc_and_nfd_both_open(tmp_path) -> None:
    p = "Crème brûlée à la café Noël"
    nfc, nfd = unicodedata.normalize("NFC", p), unicodedata.normalize("NFD", p)
    assert nfc != nfd
    Vault.create(tmp_path / "v", nfd)[0].lock()
    Vault.open(tmp_path / "v", nfc).lock()
    Vault.open(tmp_path / "v", nfd).lock()
    # ... and the bytes derived are NFKC, never trimmed
    assert kdf.normalise_passphrase(" a ") == b" a "


def test_trailing_space_is_a_different_passphrase(tmp_path) -> None:
    Vault.create(tmp_path / "v", "violet tractor sings under 7 moons")[0].lock()
    for wrong in (
        "violet tractor sings under 7 moons ",
        "Violet tractor sings under 7 moons",
        "violet tractor sings under 7 moon",
        "violet tractor sings under 7 mооns",  # Cyrillic о
    ):
        with pytest.raises(WrongPassphrase):
            Vault.open(tmp_path / "v", wrong)
