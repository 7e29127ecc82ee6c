"""Korean: the words after a country's name and a title are a person's name
(monitor.entities.koreannames), through the cues of monitor.entities.scriptnames. Sentences
written for these tests."""

from __future__ import annotations

import time

import pytest

from monitor.entities.koreannames import titled_names
from monitor.entities.scriptnames import cued_names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("미국 대통령 도널드 트럼프가 관세를 발표했다.", "도널드 트럼프"),
        ("러시아 대통령 블라디미르 푸틴은 회담을 거부했다.", "블라디미르 푸틴"),
        ("미국 전 대통령 버락 오바마는 연설을 했다.", "버락 오바마"),
        ("영국 총리 리시 수낵이 사임했다.", "리시 수낵"),
        ("프랑스의 작가 아니 에르노(사진)가 상을 받았다.", "아니 에르노"),
        ("대한민국 대통령 윤석열은 담화를 발표했다.", "윤석열"),
        ("독일 신임 총리 프리드리히 메르츠", "프리드리히 메르츠"),  # the text's end closes it
    ],
)
def test_a_title_after_a_country_names_a_person(text: str, name: str) -> None:
    assert [n.text for n in titled_names(text)] == [name]
    assert name in [cue.text for cue in cued_names(text, "ko")]


@pytest.mark.parametrize(
    "text",
    [
        "미국 대통령 선거에서 공화당이 승리했다.",  # the presidential election
        "미국 대통령 취임식에 많은 사람이 모였다.",  # the inauguration
        "영국 총리 관저 앞에서 시위가 열렸다.",  # the residence
        "러시아 대통령 푸틴은 회담을 거부했다.",  # one word of two syllables: too like a noun
        "대통령 도널드 트럼프가 말했다.",  # a title without a country
        "미국 국무부는 성명을 발표했다.",  # no title
        "미국 대통령 바이든 정부는 제재를 발표했다.",  # his government: no end to a name
        "프랑스 대통령 에마뉘엘 마크롱 앙투안 뒤퐁 피에르 말했다",  # three words and no end
    ],
)
def test_no_name_where_the_title_is_not_a_persons(text: str) -> None:
    assert titled_names(text) == []


def test_a_long_text_is_read_in_bounded_time() -> None:
    text = "미국 대통령 도널드 트럼프가 " * 20_000
    started = time.process_time()
    found = titled_names(text)
    spent = time.process_time() - started
    assert len(found) == 20_000
    print(f"{len(text)} characters in {spent:.2f} s")  # a budget to read, not a timed assert
