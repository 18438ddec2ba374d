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


def test_a_term_every_document_shares_relates_each_to_at_most_the_cap():
    """500 documents whose one shared word is the same: without the cap on postings each
    would be scored against all 499 others (quadratic work); with it, against at most
    POSTING_CAP, whatever the limit asked for."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = [letters[n // 26 % 26] + letters[n % 26] + "zq" for n in range(500)]  # each once
    similar = similar_documents({f"doc-{n}": f"common {words[n]}" for n in range(500)}, 1000)
    found = sorted(len(others) for others in similar.values())
    # the POSTING_CAP documents kept in the posting find the others kept there; the rest
    # find every one kept
    assert found == [POSTING_CAP - 1] * POSTING_CAP + [POSTING_CAP] * (500 - POSTING_CAP)
    assert 0 < POSTING_CAP < 500  # else this library would not reach the cap
