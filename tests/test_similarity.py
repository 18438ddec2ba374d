"""Bulk text similarity: the more-like-this idea, for every document in one pass."""

from casebook.search.similarity import POSTING_CAP, similar_documents, term_counts


def test_term_counts_stem_and_drop_stop_words():
    counts = term_counts("The recovery of people; recovering and recovered. The end")
    assert counts["recov"] == 3 and "the" not in counts and "and" not in counts


def test_documents_about_the_same_thing_find_each_other():
    texts = {
        "peer-a": "peer support workers share recovery stories in mental health teams",
        "peer-b": "recovery stories from peer support workers shape mental health services",
        "housing": "housing officers and homelessness keyworkers find tenancies for rough sleepers",
        "homeless": "keyworkers support rough sleepers into housing with homelessness officers",
    }
    similar = similar_documents(texts, limit=3)
    assert similar["peer-a"][0][0] == "peer-b"
    assert similar["housing"][0][0] == "homeless"
    assert all(other != key for key, found in similar.items() for other, _ in found)
    assert all(0 < score <= 1.0 + 1e-9 for found in similar.values() for _, score in found)


def test_a_document_sharing_no_term_is_not_related():
    similar = similar_documents(
        {"a": "alpha beta gamma", "b": "alpha beta gamma", "c": "zebra yak xylophone"}
    )
    assert [other for other, _ in similar["a"]] == ["b"]
    assert similar["c"] == []


def test_work_per_term_is_capped_so_cost_stays_linear():
    texts = {f"doc-{n}": f"common words everywhere unique{n} shared{n % 7}" for n in range(500)}
    similar = similar_documents(texts, limit=5)
    assert len(similar) == 500 and all(len(found) <= 5 for found in similar.values())
    assert POSTING_CAP < 500
