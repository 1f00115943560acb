"""The catalog upload with its column-mapping step (:mod:`alignment.ui.upload`), at the
widget level, in both apps that use it: the teacher app and the review app accept the
same SIS exports through the same code. Stub aligner and tiny catalog of ``test_ui``."""

from __future__ import annotations

import pytest
from test_ui import StubAligner, tiny_catalog  # noqa: F401  (fixture)

from alignment.review.store import ReviewStore
from alignment.ui.coverage import CoverageApp
from alignment.ui.review import ReviewApp
from alignment.ui.upload import CatalogUpload

SIS = (b"Crs Nbr,Crs Long Title,Long Descr,Grade Levels\n"
       b"M1,Money Basics,Students budget money and compare bank accounts.,9-12\n"
       b"M2,Design Lab,Students design and build prototypes.,10-12\n")
MAPPING = "Crs Nbr=course_id, Crs Long Title=title, Long Descr=description"


def upload(widget: CatalogUpload, name: str, content: bytes):
    """What the FileUpload's change sends when a user picks a file."""
    widget.on_upload({"new": ({"name": name, "content": memoryview(content)},)})


@pytest.fixture
def teacher(standards, tiny_catalog):  # noqa: F811
    return CoverageApp(aligner=StubAligner(standards), standards=standards, catalog=tiny_catalog, pathways=[])


def test_teacher_app_upload_asks_for_a_mapping_then_loads_the_catalog(teacher):
    assert teacher.catalog_upload.upload in teacher.catalog_box.children
    upload(teacher.catalog_upload, "sis.csv", SIS)
    assert "sis.csv was not loaded" in teacher.message.value
    assert "missing required column" in teacher.message.value and "Crs Nbr" in teacher.message.value
    assert teacher.catalog_upload.mapping_box.layout.display is None  # the mapping step is shown
    assert len(teacher.catalog) == 3  # the old catalog is still the one shown

    teacher.catalog_upload.mapping.value = "Crs Nbr=nonsense"
    teacher.catalog_upload.mapping_button.click()
    assert "&#x27;nonsense&#x27; is not a catalog column" in teacher.message.value  # escaped HTML

    teacher.catalog_upload.mapping.value = MAPPING
    teacher.catalog_upload.mapping_button.click()
    assert list(teacher.catalog["course_id"]) == ["M1", "M2"]
    assert teacher.catalog.set_index("course_id").at["M1", "grades"] == "9-12"  # "Grade Levels" by synonym
    assert teacher.catalog_upload.mapping_box.layout.display == "none"
    assert "Loaded sis.csv: 2 courses" in teacher.message.value
    label = next(k for k, v in teacher.labels.items() if v == "M1")
    assert list(teacher.course.options) == list(teacher.labels)
    teacher.course.value = label  # choosing it aligns the uploaded course
    assert teacher.last["course"]["course_id"] == "M1"
    assert "Money Basics" in teacher.results.value


def test_teacher_app_loads_sis_headers_it_recognises_without_a_mapping(teacher):
    upload(teacher.catalog_upload, "sis.csv", b"Course Number,Course Title,Course Description\n"
                                              b"K1,Keyboarding,Students type documents.\n")
    assert list(teacher.catalog["course_id"]) == ["K1"]
    assert teacher.catalog_upload.mapping_box.layout.display == "none"


def test_mapping_without_an_upload_says_so(teacher):
    teacher.catalog_upload.mapping_button.click()
    assert "Upload a catalog first" in teacher.message.value


def test_review_app_uses_the_same_mapping_step(standards, tiny_catalog, tmp_path):  # noqa: F811
    with ReviewStore(tmp_path / "r.sqlite3", create=True) as store:
        app = ReviewApp(aligner=StubAligner(standards), standards=standards, catalog=tiny_catalog, store=store)
        assert isinstance(app.catalog_upload, CatalogUpload) and app.mapping_box is app.catalog_upload.mapping_box
        upload(app.catalog_upload, "sis.csv", SIS)
        assert "was not loaded" in app.message.value and app.mapping_box.layout.display is None
        app.mapping.value = MAPPING
        app.mapping_button.click()
        assert app.catalog_key == "sis.csv" and app.course_id == "M1"
