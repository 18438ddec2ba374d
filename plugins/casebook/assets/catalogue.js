/* Casebook catalogue: filters, chips, sort and downloads.
 *
 * The page is complete without this script: every case study is a card and every facet
 * has its own page. The script shows the filters and keeps three things in step: the
 * form, the URL query string and the cards. The URL keys are the front-matter fields,
 * as in the search API: ?themes=a&themes=b&themes_op=all&place=c&text=words&sort=newest.
 * Facets combine with AND; within a facet, "any of" (the default) or "all of".
 * The text key is not "q": Material opens its own search dialog for a ?q= in the URL.
 */
(function () {
  "use strict";

  var TEXT_KEY = "text";
  var SORT_KEY = "sort";
  var root = document.getElementById("cb-catalogue");
  if (!root) return;
  var form = document.getElementById("cb-filters");
  var text = document.getElementById("cb-text");
  var status = document.getElementById("cb-status");
  var empty = document.getElementById("cb-empty");
  var emptyList = document.getElementById("cb-empty-remove");
  var tools = document.getElementById("cb-tools");
  var toggle = document.getElementById("cb-filters-toggle");
  var toggleCount = document.getElementById("cb-filters-count");
  var sortSelect = document.getElementById("cb-sort");
  var chips = document.getElementById("cb-chips");
  var notice = document.getElementById("cb-notice");
  var cardBox = document.getElementById("cb-cards");
  var showResults = document.getElementById("cb-show-results");
  var facets = Array.prototype.map.call(
    form.querySelectorAll("[data-facet]"), function (el) { return el.getAttribute("data-facet"); });
  var facetInfo = {};
  facets.forEach(function (facet) {
    var details = form.querySelector('[data-facet="' + facet + '"]');
    var boxes = {};
    Array.prototype.forEach.call(details.querySelectorAll('input[type="checkbox"]'), function (input) {
      boxes[input.value] = { input: input, count: input.parentNode.querySelector("[data-count]") };
    });
    facetInfo[facet] = {
      details: details,
      singular: details.getAttribute("data-singular") || facet,
      op: details.querySelector("[data-op]"),
      boxes: boxes,
      order: Object.keys(boxes),
      selectedBadge: details.querySelector("[data-selected]")
    };
  });
  var cards = {};
  Array.prototype.forEach.call(root.querySelectorAll("[data-slug]"), function (card) {
    cards[card.getAttribute("data-slug")] = card;
  });
  var cardOrder = Object.keys(cards);
  var cardPosition = {};
  cardOrder.forEach(function (slug, i) { cardPosition[slug] = i; });
  var records = [];
  var recordIndex = {};
  var data = null;
  var shownRecords = [];
  var pushedThisSession = false;
  var typingTimer = null;

  function plural(n) { return n + " case " + (n === 1 ? "study" : "studies"); }

  /* data/catalogue.json holds, per case study, its slug, the positions of its terms in
     each facet's list, its partners' names, its publication date and start year; titles
     and summaries come from the cards. */
  function prepare(data) {
    var fields = Object.keys(data.facets);
    return data.cases.map(function (entry) {
      var slug = entry[0], values = {};
      facets.forEach(function (facet) {
        var at = fields.indexOf(facet);
        values[facet] = at < 0 ? [] : entry[1][at].map(function (i) { return data.facets[facet][i]; });
      });
      /* the year a case study started is a facet too, from its own field */
      if (facetInfo.started) values.started = entry[4] ? [String(entry[4])] : [];
      var card = cards[slug];
      var link = card ? card.querySelector("h3 a") : null;
      var summary = card ? card.querySelector("p") : null;
      var title = link ? link.textContent : slug;
      var partners = entry[2].map(function (i) { return data.partners[i]; });
      var haystack = [title, summary ? summary.textContent : ""].concat(partners)
        .join(" \u0000 ").toLowerCase();
      return {
        slug: slug, values: values, haystack: haystack, partners: partners, title: title,
        summary: summary ? summary.textContent : "", url: link ? link.href : "",
        published: entry[3] || "", started: entry[4] || null
      };
    });
  }

  /* -- state: the form, the URL ---------------------------------------------------------- */

  function emptyState() {
    var state = { q: "", selected: {}, op: {}, sort: sortSelect.options[0].value };
    facets.forEach(function (facet) { state.selected[facet] = []; state.op[facet] = "any"; });
    return state;
  }

  function readForm() {
    var state = emptyState();
    state.q = text.value.trim();
    state.sort = sortSelect.value;
    facets.forEach(function (facet) {
      var info = facetInfo[facet];
      state.selected[facet] = info.order.filter(function (value) { return info.boxes[value].input.checked; });
      if (info.op) state.op[facet] = info.op.value;
    });
    return state;
  }

  /* The URL's state, and what in it was not understood (shown, never silently dropped). */
  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    var state = emptyState(), unknown = [];
    state.q = (params.get(TEXT_KEY) || "").trim();
    facets.forEach(function (facet) {
      var info = facetInfo[facet];
      params.getAll(facet).forEach(function (value) {
        if (info.boxes[value]) state.selected[facet].push(value);
        else if (value) unknown.push(facet + "=" + value);
      });
      var op = params.get(facet + "_op");
      if (op === "all" && info.op) state.op[facet] = "all";
      else if (op && op !== "any") unknown.push(facet + "_op=" + op);
    });
    var sort = params.get(SORT_KEY);
    var sorts = Array.prototype.map.call(sortSelect.options, function (o) { return o.value; });
    if (sort && sorts.indexOf(sort) !== -1) state.sort = sort;
    else if (sort) unknown.push(SORT_KEY + "=" + sort);
    return { state: state, unknown: unknown };
  }

  function writeForm(state) {
    text.value = state.q;
    sortSelect.value = state.sort;
    facets.forEach(function (facet) {
      var info = facetInfo[facet];
      info.order.forEach(function (value) {
        info.boxes[value].input.checked = state.selected[facet].indexOf(value) !== -1;
      });
      if (info.op) info.op.value = state.op[facet];
    });
  }

  function queryString(state) {
    var params = new URLSearchParams();
    facets.forEach(function (facet) {
      state.selected[facet].forEach(function (value) { params.append(facet, value); });
      if (state.op[facet] === "all") params.append(facet + "_op", "all");
    });
    if (state.q) params.append(TEXT_KEY, state.q);
    if (state.sort !== sortSelect.options[0].value) params.append(SORT_KEY, state.sort);
    var query = params.toString();
    return query ? "?" + query : window.location.pathname;
  }

  function filtered(state) {
    return Boolean(state.q) || facets.some(function (f) { return state.selected[f].length; });
  }

  /* -- the text query: one function, so another engine can stand in for it -------------- */

  var indexMatches = { query: "", slugs: null };
  var indexAvailable = typeof window.casebookSearch === "function";

  /* Which records the text `query` keeps, as an array of booleans in record order. The
     site's static full-text index (search.js, the same on any static host as under
     `casebook serve`) adds its matches, every word required: they can only reveal cards. */
  function textMatches(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return records.map(function () { return true; });
    if (query === text.value.trim()) {
      if (indexMatches.query !== query) indexMatches = { query: query, slugs: null };
      if (query.length >= 2 && indexAvailable && indexMatches.slugs === null) askIndex(query);
    }
    var found = indexMatches.query === query ? indexMatches.slugs : null;
    return records.map(function (record) {
      if (found && found[record.slug]) return true;
      return words.every(function (word) { return record.haystack.indexOf(word) !== -1; });
    });
  }

  function askIndex(query) {
    indexMatches.slugs = {};  // asked: not again for this query
    window.casebookSearch(query, { kind: "case_study", allWords: true, counts: true }).then(function (found) {
      if (text.value.trim() !== query) return;
      var slugs = {};
      found.slugs.forEach(function (slug) { slugs[slug] = true; });
      indexMatches = { query: query, slugs: slugs };
      apply(readForm());
    }).catch(function () { indexAvailable = false; });
  }

  /* -- filtering and counts --------------------------------------------------------------- */

  function matchesFacet(values, selected, op) {
    if (!selected.length) return true;
    if (op === "all") return selected.every(function (v) { return values.indexOf(v) !== -1; });
    return selected.some(function (v) { return values.indexOf(v) !== -1; });
  }

  /* Per record, how many facets (text counts as one) it fails and, when just one, which:
     a record is shown when it fails none, and counts towards a facet's options when it
     fails none or only that facet. Each record is judged once per facet, not once per
     facet pair. */
  function tally(state, textOk) {
    var misses = new Array(records.length), failing = new Array(records.length);
    records.forEach(function (record, i) {
      var missed = textOk[i] ? 0 : 2, which = null;
      for (var f = 0; f < facets.length && missed < 2; f++) {
        var facet = facets[f];
        if (!matchesFacet(record.values[facet], state.selected[facet], state.op[facet])) {
          missed += 1;
          which = facet;
        }
      }
      misses[i] = missed;
      failing[i] = which;
    });
    return { misses: misses, failing: failing };
  }

  /* Counts per facet option: how many case studies the page would show if that option
     were ticked (for a ticked one, how many shown have it). */
  function facetCounts(state, judged, facet) {
    var selected = state.selected[facet], op = state.op[facet];
    var inSelection = 0, extra = {}, shownWith = {};
    records.forEach(function (record, i) {
      var missed = judged.misses[i];
      if (missed > 1 || (missed === 1 && judged.failing[i] !== facet)) return;
      var values = record.values[facet];
      var matches = missed === 0;
      if (matches && selected.length) {
        inSelection += 1;
        values.forEach(function (v) { shownWith[v] = (shownWith[v] || 0) + 1; });
      }
      /* Ticking v adds v to the selection: under "any" a record not yet matching joins if
         it has v; under "all" a matching record stays only if it has v. */
      if (!selected.length || (op !== "all" && !matches) || (op === "all" && matches)) {
        values.forEach(function (v) { extra[v] = (extra[v] || 0) + 1; });
      }
    });
    var counts = {};
    facetInfo[facet].order.forEach(function (value) {
      if (selected.indexOf(value) !== -1) counts[value] = shownWith[value] || 0;
      else if (!selected.length || op === "all") counts[value] = extra[value] || 0;
      else counts[value] = inSelection + (extra[value] || 0);
    });
    return counts;
  }

  function compare(sort) {
    if (sort === "newest") {
      return function (a, b) { return a.published < b.published ? 1 : a.published > b.published ? -1 : a.at - b.at; };
    }
    if (sort === "started") {
      return function (a, b) { return (b.started || 0) - (a.started || 0) || a.at - b.at; };
    }
    return function (a, b) { return a.at - b.at; };
  }

  var currentSort = null;

  function placeCards(sort) {
    if (sort === currentSort) return;
    currentSort = sort;
    var order = records.map(function (record) {
      return { slug: record.slug, published: record.published, started: record.started,
        at: cardPosition[record.slug] };
    }).sort(compare(sort));
    var fragment = document.createDocumentFragment();
    order.forEach(function (item) { if (cards[item.slug]) fragment.appendChild(cards[item.slug]); });
    cardOrder.forEach(function (slug) { if (!recordIndex[slug]) fragment.appendChild(cards[slug]); });
    cardBox.appendChild(fragment);
  }

  function labelOf(facet, value) {
    var box = facetInfo[facet].boxes[value];
    return box ? box.input.getAttribute("data-label") : value;
  }

  function apply(state) {
    var judged = tally(state, textMatches(state.q));
    var visible = {};
    shownRecords = [];
    records.forEach(function (record, i) {
      if (judged.misses[i] === 0) { visible[record.slug] = true; shownRecords.push(record); }
    });
    placeCards(state.sort);
    cardOrder.forEach(function (slug) {
      /* A card with no record is never hidden: the filters cannot judge it. Only changed
         cards are touched, so the browser restyles as little as possible. */
      var hide = records.length > 0 && recordIndex[slug] === true && !visible[slug];
      if (cards[slug].hidden !== hide) cards[slug].hidden = hide;
    });
    var selectedTotal = 0;
    facets.forEach(function (facet) {
      var info = facetInfo[facet], counts = facetCounts(state, judged, facet);
      info.order.forEach(function (value) {
        var box = info.boxes[value], label = "(" + counts[value] + ")";
        if (box.count.textContent !== label) box.count.textContent = label;
        var disable = counts[value] === 0 && !box.input.checked;
        if (box.input.disabled !== disable) box.input.disabled = disable;
      });
      var n = state.selected[facet].length;
      selectedTotal += n;
      info.selectedBadge.textContent = n ? " (" + n + " selected)" : "";
      if (n) info.details.open = true;
    });
    var total = records.length, shown = shownRecords.length;
    status.textContent = filtered(state)
      ? "Showing " + shown + " of " + plural(total) + "."
      : "Showing all " + plural(total) + ".";
    var showLabel = "Show " + plural(shown);
    if (showResults.textContent !== showLabel) showResults.textContent = showLabel;
    toggleCount.textContent = selectedTotal + (state.q ? 1 : 0)
      ? " (" + (selectedTotal + (state.q ? 1 : 0)) + ")" : "";
    showChips(state);
    showEmpty(state, shown);
  }

  /* A chip per selected value (and the text), each a button that removes it. */
  function selections(state) {
    var list = [];
    facets.forEach(function (facet) {
      state.selected[facet].forEach(function (value) {
        list.push({ facet: facet, value: value,
          label: facetInfo[facet].singular + ": " + labelOf(facet, value) });
      });
    });
    if (state.q) list.push({ facet: TEXT_KEY, value: state.q, label: "Text: \u201c" + state.q + "\u201d" });
    return list;
  }

  function removeButton(item, suffix) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cb-chip";
    button.setAttribute("data-facet", item.facet);
    button.setAttribute("data-value", item.value);
    button.setAttribute("aria-label", "Remove " + item.label + suffix);
    button.textContent = item.label + suffix + " \u00d7";
    return button;
  }

  var chipsShown = null;

  function showChips(state) {
    var list = selections(state);
    var key = JSON.stringify(list);
    if (key === chipsShown) return;  // typing that changes nothing leaves the chips be
    chipsShown = key;
    chips.textContent = "";
    list.forEach(function (item) {
      var li = document.createElement("li");
      li.appendChild(removeButton(item, ""));
      chips.appendChild(li);
    });
    chips.hidden = list.length === 0;
  }

  function without(state, item) {
    var next = JSON.parse(JSON.stringify(state));
    if (item.facet === TEXT_KEY) next.q = "";
    else next.selected[item.facet] = next.selected[item.facet].filter(function (v) { return v !== item.value; });
    return next;
  }

  /* Nothing matches: name each filter and how many case studies removing it would show. */
  function showEmpty(state, shown) {
    empty.hidden = shown !== 0;
    emptyList.textContent = "";
    if (shown !== 0) return;
    selections(state).forEach(function (item) {
      var next = without(state, item), textOk = textMatches(next.q), n = 0;
      records.forEach(function (record, i) {
        if (textOk[i] && facets.every(function (f) {
          return matchesFacet(record.values[f], next.selected[f], next.op[f]);
        })) n += 1;
      });
      var li = document.createElement("li");
      li.appendChild(removeButton(item, " (then " + plural(n) + ")"));
      emptyList.appendChild(li);
    });
  }

  function removeSelection(button) {
    var item = { facet: button.getAttribute("data-facet"), value: button.getAttribute("data-value") };
    writeForm(without(readForm(), item));
    update();
    document.getElementById("cb-results").focus();
  }

  /* One history entry per filtering session: the first change pushes, the rest replace. */
  function update() {
    var state = readForm();
    apply(state);
    var target = queryString(state);
    var current = window.location.search || window.location.pathname;
    if (target === current) return;
    if (pushedThisSession) window.history.replaceState(null, "", target);
    else window.history.pushState(null, "", target);
    pushedThisSession = true;
    remember(target);
  }

  /* A case study opened from these results can offer the way back to them. */
  function remember(target) {
    try {
      window.sessionStorage.setItem("casebook:results", target.charAt(0) === "?" ? target : "");
    } catch (error) { /* storage blocked: no "back to results" link, nothing else lost */ }
  }

  /* -- downloads --------------------------------------------------------------------------- */

  var COLUMNS = ["title", "url", "summary", "place", "themes", "principles", "programme",
    "focus", "partners", "started", "published"];

  function exportRows() {
    var labels = data.labels || {};
    return shownRecords.map(function (record) {
      var row = { title: record.title, url: record.url, summary: record.summary };
      ["place", "themes", "principles", "programme", "focus"].forEach(function (facet) {
        var slugs = record.values[facet] || [], names = data.facets[facet] || [];
        row[facet] = slugs.map(function (slug) {
          var at = names.indexOf(slug);
          return labels[facet] && at !== -1 ? labels[facet][at] : slug;
        });
      });
      row.partners = record.partners;
      row.started = record.started;
      row.published = record.published || null;
      return row;
    });
  }

  function csvCell(value) {
    var text = Array.isArray(value) ? value.join("; ") : (value === null ? "" : String(value));
    /* A cell a spreadsheet would read as a formula is kept as text. */
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function download(kind) {
    var rows = exportRows(), body, type;
    if (kind === "csv") {
      body = "\ufeff" + [COLUMNS.join(",")].concat(rows.map(function (row) {
        return COLUMNS.map(function (c) { return csvCell(row[c]); }).join(",");
      })).join("\r\n") + "\r\n";
      type = "text/csv;charset=utf-8";
    } else {
      body = JSON.stringify(rows, null, 1);
      type = "application/json";
    }
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([body], { type: type }));
    link.download = "case-studies." + kind;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  /* -- wiring ------------------------------------------------------------------------------- */

  function setPanel(open) {
    root.classList.toggle("cb-catalogue--open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function showNotice(unknown) {
    notice.hidden = unknown.length === 0;
    notice.textContent = unknown.length
      ? "Not understood in this address, so left out: " + unknown.join(", ") + "." : "";
  }

  function start(loaded) {
    data = loaded;
    records = prepare(data);
    records.forEach(function (record) { recordIndex[record.slug] = true; });
    form.hidden = false;
    tools.hidden = false;
    var fromUrl = readUrl();
    writeForm(fromUrl.state);
    showNotice(fromUrl.unknown);
    apply(readForm());
    if (window.location.search) remember(window.location.search);
    form.addEventListener("change", function (event) {
      /* the text box's change (Enter, or leaving it) applies at once, without the wait */
      if (event.target.type === "checkbox" || event.target.tagName === "SELECT" ||
          event.target === text) update();
    });
    sortSelect.addEventListener("change", update);
    form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
    text.addEventListener("input", function () {
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(update, 120);
    });
    document.getElementById("cb-clear").addEventListener("click", function () {
      writeForm(emptyState());
      update();
      text.focus();
    });
    toggle.addEventListener("click", function () {
      setPanel(toggle.getAttribute("aria-expanded") !== "true");
      if (toggle.getAttribute("aria-expanded") === "true") text.focus();
    });
    showResults.addEventListener("click", function () {
      setPanel(false);
      document.getElementById("cb-results").focus();
    });
    root.addEventListener("click", function (event) {
      var chip = event.target.closest ? event.target.closest(".cb-chip") : null;
      if (chip) removeSelection(chip);
    });
    document.getElementById("cb-download-csv").addEventListener("click", function () { download("csv"); });
    document.getElementById("cb-download-json").addEventListener("click", function () { download("json"); });
    window.addEventListener("popstate", function () {
      pushedThisSession = false;
      var state = readUrl();
      writeForm(state.state);
      showNotice(state.unknown);
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
