/* Casebook catalogue filters.
 *
 * The page is complete without this script: every case study is a card and every facet
 * has its own page. The script shows the filter form and keeps three things in step:
 * the form, the URL query string (?themes=a&themes=b&place=c&text=words) and the cards.
 * AND across facets, OR within one; a card is hidden only when its record does not match.
 * The text key is not "q": Material opens its own search dialog for a ?q= in the URL.
 */
(function () {
  "use strict";

  var TEXT_KEY = "text";
  var root = document.getElementById("cb-catalogue");
  if (!root) return;
  var form = document.getElementById("cb-filters");
  var text = document.getElementById("cb-text");
  var status = document.getElementById("cb-status");
  var empty = document.getElementById("cb-empty");
  var facets = Array.prototype.map.call(
    form.querySelectorAll("[data-facet]"), function (el) { return el.getAttribute("data-facet"); });
  var cards = {};
  Array.prototype.forEach.call(root.querySelectorAll("[data-slug]"), function (card) {
    cards[card.getAttribute("data-slug")] = card;
  });
  var records = [];
  var indexMatches = { query: "", slugs: null };
  var indexAvailable = typeof window.casebookSearch === "function";
  var typingTimer = null;

  /* data/catalogue.json holds, per case study, its slug, the positions of its terms in
     each facet's list and its partners' names; titles and summaries come from the cards. */
  function prepare(data) {
    var fields = Object.keys(data.facets);
    return data.cases.map(function (entry) {
      var slug = entry[0], values = {};
      facets.forEach(function (facet) {
        var at = fields.indexOf(facet);
        values[facet] = at < 0 ? [] : entry[1][at].map(function (i) { return data.facets[facet][i]; });
      });
      var card = cards[slug];
      var text = card ? [card.querySelector("h3"), card.querySelector("p")].map(function (el) {
        return el ? el.textContent : "";
      }) : [];
      var partners = entry[2].map(function (i) { return data.partners[i]; });
      var haystack = text.concat(partners).join(" \u0000 ").toLowerCase();
      return { slug: slug, values: values, haystack: haystack };
    });
  }

  function readForm() {
    var state = { q: text.value.trim(), selected: {} };
    facets.forEach(function (facet) {
      state.selected[facet] = Array.prototype.map.call(
        form.querySelectorAll('input[name="' + facet + '"]:checked'),
        function (input) { return input.value; });
    });
    return state;
  }

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    var state = { q: (params.get(TEXT_KEY) || "").trim(), selected: {} };
    facets.forEach(function (facet) { state.selected[facet] = params.getAll(facet); });
    return state;
  }

  function writeForm(state) {
    text.value = state.q;
    Array.prototype.forEach.call(form.querySelectorAll('input[type="checkbox"]'), function (input) {
      input.checked = (state.selected[input.name] || []).indexOf(input.value) !== -1;
    });
  }

  function queryString(state) {
    var params = new URLSearchParams();
    facets.forEach(function (facet) {
      state.selected[facet].forEach(function (value) { params.append(facet, value); });
    });
    if (state.q) params.append(TEXT_KEY, state.q);
    var query = params.toString();
    return query ? "?" + query : window.location.pathname;
  }

  function matchesText(record, words) {
    if (!words.length) return true;
    if (indexMatches.slugs && indexMatches.slugs[record.slug]) return true;
    return words.every(function (word) { return record.haystack.indexOf(word) !== -1; });
  }

  function matchesFacet(record, facet, selected) {
    if (!selected.length) return true;
    var values = record.values[facet];
    return selected.some(function (value) { return values.indexOf(value) !== -1; });
  }

  function apply(state) {
    var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    if (indexMatches.query !== state.q) indexMatches = { query: state.q, slugs: null };
    var textOk = records.map(function (record) { return matchesText(record, words); });
    var shown = 0;
    var visible = {};
    records.forEach(function (record, i) {
      var ok = textOk[i] && facets.every(function (facet) {
        return matchesFacet(record, facet, state.selected[facet]);
      });
      if (ok) { visible[record.slug] = true; shown += 1; }
    });
    Object.keys(cards).forEach(function (slug) {
      /* A card with no record is never hidden: the filters cannot judge it. Only changed
         cards are touched, so the browser restyles as little as possible. */
      var hide = records.length > 0 && slug in recordIndex && !visible[slug];
      if (cards[slug].hidden !== hide) cards[slug].hidden = hide;
    });
    facets.forEach(function (facet) {
      var counts = {};
      records.forEach(function (record, i) {
        if (!textOk[i]) return;
        var others = facets.every(function (other) {
          return other === facet || matchesFacet(record, other, state.selected[other]);
        });
        if (!others) return;
        record.values[facet].forEach(function (value) { counts[value] = (counts[value] || 0) + 1; });
      });
      Array.prototype.forEach.call(
        form.querySelectorAll('input[name="' + facet + '"]'), function (input) {
          var count = input.parentNode.querySelector("[data-count]");
          var text = "(" + (counts[input.value] || 0) + ")";
          if (count.textContent !== text) count.textContent = text;
        });
      var selectedCount = state.selected[facet].length;
      var details = form.querySelector('[data-facet="' + facet + '"]');
      details.querySelector("[data-selected]").textContent =
        selectedCount ? " (" + selectedCount + " selected)" : "";
      if (selectedCount) details.open = true;
    });
    var total = records.length;
    var filtered = words.length || facets.some(function (f) { return state.selected[f].length; });
    status.textContent = filtered
      ? "Showing " + shown + " of " + total + " case " + (total === 1 ? "study" : "studies") + "."
      : "Showing all " + total + " case " + (total === 1 ? "study" : "studies") + ".";
    empty.hidden = shown !== 0;
    if (state.q.length >= 2 && indexAvailable && indexMatches.slugs === null) askIndex(state);
  }

  /* Full-text matches from the site's static index (search.js): the same results on
     any static host as under `casebook serve`. They can only reveal cards, never hide one. */
  function askIndex(state) {
    var query = state.q;
    window.casebookSearch(query, { kind: "case_study", allWords: true, counts: true }).then(function (found) {
      if (text.value.trim() !== query) return;
      var slugs = {};
      found.slugs.forEach(function (slug) { slugs[slug] = true; });
      indexMatches = { query: query, slugs: slugs, suggestion: found.suggestion };
      apply(readForm());
    }).catch(function () { indexAvailable = false; });
  }

  function update(push) {
    var state = readForm();
    apply(state);
    var target = queryString(state);
    var current = window.location.search || window.location.pathname;
    if (target === current) return;
    if (push) window.history.pushState(null, "", target);
    else window.history.replaceState(null, "", target);
  }

  var recordIndex = {};

  function start(data) {
    records = prepare(data);
    records.forEach(function (record) { recordIndex[record.slug] = true; });
    form.hidden = false;
    writeForm(readUrl());
    apply(readForm());
    form.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") update(true);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); update(true); });
    text.addEventListener("input", function () {
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(function () { update(false); }, 120);
    });
    text.addEventListener("change", function () { update(true); });
    document.getElementById("cb-clear").addEventListener("click", function () {
      writeForm({ q: "", selected: {} });
      update(true);
      text.focus();
    });
    window.addEventListener("popstate", function () {
      writeForm(readUrl());
      apply(readForm());
    });
  }

  fetch(root.getAttribute("data-src"))
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(start)
    .catch(function () {
      status.textContent = "Filters are unavailable; showing every case study.";
    });
})();
