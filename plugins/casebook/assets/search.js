/* Casebook search: the site's static (Pagefind) index, in the header and on /search/.
 *
 * Works from static files alone: the index is /pagefind/ (built by the casebook plugin
 * from the same documents as the Whoosh index), loaded on first use, a few small files a
 * query. Every word must match first; if no page has them all, pages with any of them
 * are shown, labelled so. Case studies and policy pages come before other pages. When a
 * query finds few pages, the library's vocabulary (fetched only then) offers the closest
 * known words, by the same rule as `casebook search` (search/vocabulary.py).
 *
 * For other scripts: window.casebookSearch(query, {kind, filters, allWords, counts,
 * prefetch}) resolves to {slugs, total, anyWord, suggestion, results, filters}; with
 * counts: true, `filters` counts the results by facet value and `slugs` names every
 * matching case study; allWords: no any-word fallback (a filter wants exact matches);
 * prefetch: how many of the first results' data() to start fetching during the search
 * (by default the header's eight, or none with counts: the catalogue reads no data).
 *
 * CSP: needs script-src 'self' 'wasm-unsafe-eval' (Pagefind's WebAssembly) and
 * connect-src 'self' (its index files); worker-src 'self' where Pagefind uses a worker.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var siteRoot = new URL("../../", script ? script.src : window.location.href);
  var bundleUrl = new URL("pagefind/", siteRoot).href;
  var FIRST_KINDS = ["case_study", "policy"];
  var KIND_LABELS = { case_study: "Case study", policy: "Policy", guide: "Guide", page: "Page",
                      term: "Index" };
  var FEW_RESULTS = 3; /* as vocabulary.FEW_RESULTS */
  var MIN_LENGTH = 3; /* as vocabulary.MIN_LENGTH */
  var HEADER_LIMIT = 8; /* results the header lists */
  var enginePromise = null;
  var filtersLoaded = null;
  var vocabularyPromise = null;

  function engine() {
    if (!enginePromise) {
      enginePromise = import(bundleUrl + "pagefind.js").then(function (pagefind) {
        return pagefind.options({ basePath: bundleUrl, excerptLength: 30 })
          .then(function () { return pagefind.init(); })
          .then(function () { return pagefind; });
      });
      enginePromise.catch(function () { enginePromise = null; });
    }
    return enginePromise;
  }

  /* -- did you mean: the same algorithm as search/vocabulary.py ------------------------ */

  function vocabulary() {
    if (!vocabularyPromise) {
      vocabularyPromise = fetch(bundleUrl + "casebook-vocabulary.json")
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          var words = data.words ? data.words.split(" ") : [];
          var counts = new Map();
          words.forEach(function (word, i) { counts.set(word, data.counts[i]); });
          return counts;
        });
      vocabularyPromise.catch(function () { vocabularyPromise = null; });
    }
    return vocabularyPromise;
  }

  function queryWords(text) {
    return text.toLowerCase().match(/[\p{L}\p{M}]+/gu) || [];
  }

  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var previous2 = [], previous = [], i, j;
    for (j = 0; j <= b.length; j++) previous.push(j);
    for (i = 1; i <= a.length; i++) {
      var current = [i], smallest = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, previous2[j - 2] + 1);
        }
        current.push(value);
        if (value < smallest) smallest = value;
      }
      if (smallest > limit) return limit + 1;
      previous2 = previous;
      previous = current;
    }
    return previous[b.length];
  }

  function closestWord(word, counts) {
    var limit = word.length <= 5 ? 1 : 2, best = null;
    counts.forEach(function (count, known) {
      var edits = distance(word, known, limit);
      if (edits > limit) return;
      if (best === null || edits < best[0] || (edits === best[0] && (count > best[1] ||
          (count === best[1] && known < best[2])))) {
        best = [edits, count, known];
      }
    });
    return best ? best[2] : null;
  }

  /* `unknown`: the words no page holds (a word can be missing from the vocabulary and
     still be found, as "pooled" is through the stem it shares with "pool"). */
  function suggest(query, counts, unknown) {
    if (!counts.size) return null;
    var changed = false;
    var corrected = queryWords(query).map(function (word) {
      if (word.length >= MIN_LENGTH && !counts.has(word) && unknown.indexOf(word) !== -1) {
        var replacement = closestWord(word, counts);
        if (replacement) { changed = true; return replacement; }
      }
      return word;
    });
    return changed ? corrected.join(" ") : null;
  }

  /* -- searching ----------------------------------------------------------------------- */

  function pagefindFilters(filters, kindClause) {
    var out = {};
    Object.keys(filters || {}).forEach(function (name) {
      if (filters[name] && filters[name].length) out[name] = { any: filters[name].slice() };
    });
    if (kindClause) out.kind = kindClause;
    return out;
  }

  function addCounts(total, counts) {
    Object.keys(counts || {}).forEach(function (name) {
      total[name] = total[name] || {};
      Object.keys(counts[name]).forEach(function (value) {
        total[name][value] = (total[name][value] || 0) + counts[name][value];
      });
    });
    return total;
  }

  /* A result's data (its fragment: URL, title, text for the excerpt) is fetched once,
     however often it is asked for: the word check and the reader's list share it. */
  function once(load) {
    var loaded = null;
    return function () {
      if (!loaded) {
        loaded = load();
        loaded.catch(function () { loaded = null; });
      }
      return loaded;
    };
  }

  /* One query as Pagefind reads it (every word it knows must match), with case studies
     and policy pages ahead of the rest unless a kind is asked for. The data of the first
     `prefetch` results is fetched as soon as the first group is in, while the rest of the
     query is still being worked out; the other group is then searched (Pagefind's worker
     does one thing at a time, and the fetches should not wait behind its ranking).
     `worthIt(first)`, given the first group's answer to come, says whether the data is
     worth fetching (not when a word is missing: the query then changes). */
  function searchOnce(pagefind, text, options, prefetch, worthIt) {
    var clauses = options.kind ? [{ any: [options.kind] }]
      : [{ any: FIRST_KINDS }, { none: FIRST_KINDS }];
    var wanted = prefetch || 0;
    function searchGroup(group) {
      var filters = pagefindFilters(options.filters, clauses[group]);
      return pagefind.search(text, { filters: filters }).then(function (answer) {
        var results = (answer ? answer.results : []).map(function (result) {
          /* `result` is held, not only its data function: Pagefind's worker forgets a
             result's data once the result it returned is garbage-collected */
          return { id: result.id, score: result.score, group: group, hits: 1,
                   words: result.words, data: once(function () { return result.data(); }) };
        });
        return { results: results, filters: answer ? answer.filters : null };
      });
    }
    var first = searchGroup(0);
    var worth = worthIt ? worthIt(first) : true;
    var fetching = !wanted ? null : Promise.all([first, worth])
      .then(function (pair) {
        if (!pair[1]) wanted = 0;
        pair[0].results.slice(0, wanted).forEach(function (result) { result.data(); });
      });
    var others = clauses.slice(1).map(function (clause, i) {
      return fetching ? fetching.then(function () { return searchGroup(i + 1); })
        : searchGroup(i + 1);
    });
    return Promise.all([first].concat(others)).then(function (answers) {
      var results = [], counts = {};
      answers.forEach(function (answer) {
        results.push.apply(results, answer.results);
        addCounts(counts, answer.filters);
      });
      results.slice(0, wanted).forEach(function (result) { result.data(); });
      return { results: results, filters: counts, slugs: slugsOf(counts) };
    });
  }

  /* Pages with any of the words, most words first. Facet counts of a union cannot be
     added up from its parts, so there are none; the case studies are exact. */
  function anyWord(pagefind, words, options) {
    return Promise.all(words.map(function (word) {
      return searchOnce(pagefind, word, options);
    })).then(function (answers) {
      var byId = new Map(), slugs = {};
      answers.forEach(function (answer) {
        answer.slugs.forEach(function (slug) { slugs[slug] = true; });
        answer.results.forEach(function (result) {
          var seen = byId.get(result.id);
          if (seen) { seen.hits += 1; seen.score += result.score; }
          else byId.set(result.id, Object.assign({}, result));
        });
      });
      var results = Array.from(byId.values()).sort(function (a, b) {
        return a.group - b.group || b.hits - a.hits || b.score - a.score;
      });
      return { results: results, filters: null, slugs: Object.keys(slugs) };
    });
  }

  function slugsOf(counts) {
    var values = (counts && counts["case"]) || {};
    return Object.keys(values).filter(function (slug) { return values[slug] > 0; });
  }

  /* Words the index does not hold. Pagefind leaves such a word out of a query, or
     matches the longest indexed word it starts with ("in" for "invercylde"), rather than
     find nothing. A word is known when Pagefind's exact search finds its stem (no page
     needs fetching); otherwise (a word typed in part, "hosp", or a misspelt one) the
     words it matched are read from a page, and a match on a much shorter word it begins
     with does not count. That page is the whole query's first result, whose data the
     reader's list fetches anyway. A page with every word cannot exist when one is
     missing, and a missing word is left out of the query sent to Pagefind. */
  function unknownWords(pagefind, words, first) {
    return Promise.all(words.map(function (word) {
      return isUnknown(pagefind, word, words.length === 1, first);
    })).then(function (missing) {
      return words.filter(function (word, i) { return missing[i]; });
    });
  }

  /* The answer for each word, kept for the page's life (the index does not change under
     it): a word a reader has typed is looked up again in every later query, as each key
     press searches. */
  var unknownAnswers = new Map();
  /* A filter no page matches: Pagefind then ranks no page (a common word's ranking is
     most of a search's time) and still counts the pages the words match. */
  var NO_PAGE = { kind: { any: [""] } };

  /* `first`: the whole query's first group; `alone`: the word is the whole query, so
     where its first page matched the word is known without a search of its own. */
  function isUnknown(pagefind, word, alone, first) {
    if (unknownAnswers.has(word)) return unknownAnswers.get(word);
    var exact = pagefind.search('"' + word + '"', { filters: NO_PAGE });
    var answer = exact.then(function (stem) {
      if (stem.unfilteredResultCount > 0) return false;
      return first.then(function (group) {
        var page = group.results[0];
        if (alone && page) return matchesOnlyShorterWords(word, page, page.words);
        return pagefind.search(word).then(function (own) {
          var found = own.results;
          if (!found.length) return true;
          var onPage = page && found.filter(function (r) { return r.id === page.id; })[0];
          return onPage ? matchesOnlyShorterWords(word, page, onPage.words)
            : matchesOnlyShorterWords(word, found[0], found[0].words);
        });
      });
    });
    unknownAnswers.set(word, answer);
    answer.catch(function () { unknownAnswers.delete(word); });
    return answer;
  }

  /* Whether the words at `locations` in `result`'s page (where the word matched) all
     share no more than a much shorter start with it: "in" for "invercylde", and for
     "accountjbility" both "account" and "accountability" (Pagefind's longest indexed
     prefix is the stem "account"), so the misspelt word is offered its correction, as
     `casebook search` offers it. */
  function matchesOnlyShorterWords(word, result, locations) {
    return result.data().then(function (data) {
      var text = (data.content || "").split(/\s+/);
      var matched = (locations || []).map(function (at) {
        return (queryWords(text[at] || "")[0] || "");
      }).filter(Boolean);
      if (!matched.length) return false;
      return !matched.some(function (found) {
        return word.length - sharedStart(word, found) <= 3;
      });
    });
  }

  function sharedStart(a, b) {
    var n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
  }

  function casebookSearch(query, options) {
    options = options || {};
    var text = (query || "").trim();
    var words = queryWords(text).filter(function (word, i, all) { return all.indexOf(word) === i; });
    var empty = { query: text, results: [], total: 0, slugs: [], anyWord: false,
                  suggestion: null, filters: {}, unknown: [] };
    if (!text || !words.length) return Promise.resolve(empty);
    var prefetch = options.prefetch !== undefined ? options.prefetch
      : (options.counts ? 0 : HEADER_LIMIT);
    return engine().then(function (pagefind) {
      /* A search counts only the filters whose values are loaded; the header needs no
         counts, so only the search page and the catalogue load them all. */
      if (options.counts && !filtersLoaded) filtersLoaded = pagefind.filters();
      return Promise.resolve(options.counts ? filtersLoaded : null).then(function () {
        /* Usually every word is known: the whole query is searched meanwhile, and its
           answer used as it is unless a word turns out to be missing. */
        var unknown = null;
        var whole = searchOnce(pagefind, words.join(" "), options, prefetch, function (first) {
          unknown = unknownWords(pagefind, words, first);
          return unknown.then(function (missing) { return !missing.length; });
        });
        return Promise.all([unknown, whole]);
      }).then(function (pair) {
        var unknown = pair[0];
        var known = words.filter(function (word) { return unknown.indexOf(word) === -1; });
        if (!known.length || (unknown.length && options.allWords)) return [empty, false, unknown];
        var asked = unknown.length ? searchOnce(pagefind, known.join(" "), options, prefetch)
          : Promise.resolve(pair[1]);
        return asked.then(function (all) {
          if (!unknown.length && all.results.length) return [all, false, unknown];
          if (words.length < 2 || options.allWords) return [all, false, unknown];
          if (all.results.length) return [all, true, unknown]; /* every known word */
          return anyWord(pagefind, known, options).then(function (loose) {
            return [loose, loose.results.length > 0, unknown];
          });
        });
      });
    }).then(function (triple) {
      var answer = triple[0];
      var found = {
        query: text, results: answer.results, total: answer.results.length,
        slugs: answer.slugs, anyWord: triple[1], suggestion: null,
        filters: answer.filters, unknown: triple[2]
      };
      if (found.total >= FEW_RESULTS || !found.unknown.length) return found;
      return vocabulary().then(function (counts) {
        found.suggestion = suggest(found.query, counts, found.unknown);
        return found;
      }, function () { return found; });
    });
  }

  window.casebookSearch = casebookSearch;

  /* -- showing results ----------------------------------------------------------------- */

  /* Pagefind's excerpt is HTML with <mark>; it is parsed inert and only its text and
     <mark> elements are kept, so nothing from a page can become markup here. */
  function excerptNodes(excerpt) {
    var fragment = document.createDocumentFragment();
    var parsed = new DOMParser().parseFromString("<p>" + (excerpt || "") + "</p>", "text/html");
    (function copy(from, to) {
      Array.prototype.forEach.call(from.childNodes, function (node) {
        if (node.nodeType === 3) to.appendChild(document.createTextNode(node.nodeValue));
        else if (node.nodeType === 1 && node.tagName === "MARK") {
          var mark = document.createElement("mark");
          mark.textContent = node.textContent;
          to.appendChild(mark);
        } else if (node.nodeType === 1) copy(node, to);
      });
    })(parsed.body, fragment);
    return fragment;
  }

  function resultUrl(data) {
    return new URL(String(data.url || "").replace(/^\/+/, ""), siteRoot).href;
  }

  function resultItem(data, className) {
    var item = document.createElement("li");
    item.className = className;
    var link = document.createElement("a");
    link.href = resultUrl(data);
    link.className = "cb-result";
    var title = document.createElement("span");
    title.className = "cb-result__title";
    title.textContent = (data.meta && data.meta.title) || link.href;
    var kind = document.createElement("span");
    kind.className = "cb-result__kind";
    var kindName = data.meta && data.meta.kind;
    kind.textContent = KIND_LABELS[kindName] || "Page";
    var excerpt = document.createElement("span");
    excerpt.className = "cb-result__excerpt";
    excerpt.appendChild(excerptNodes(data.excerpt));
    link.appendChild(title);
    link.appendChild(document.createTextNode(" "));
    link.appendChild(kind);
    link.appendChild(document.createTextNode(" "));
    link.appendChild(excerpt);
    item.appendChild(link);
    return item;
  }

  function countText(found) {
    var n = found.total;
    var text = n === 0 ? "No pages found for \u201c" + found.query + "\u201d."
      : (n === 1 ? "1 page" : n + " pages") + " found for \u201c" + found.query + "\u201d.";
    if (found.anyWord) text += " No page has all the words; showing pages with any of them.";
    return text;
  }

  function showSuggestion(element, found, run) {
    element.textContent = "";
    element.hidden = !found.suggestion;
    if (!found.suggestion) return;
    var link = document.createElement("a");
    link.href = "#";
    link.className = "cb-search-suggestion__link";
    link.textContent = found.suggestion;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      run(found.suggestion);
    });
    element.appendChild(document.createTextNode("Did you mean "));
    element.appendChild(link);
    element.appendChild(document.createTextNode("?"));
  }

  function failed(status) {
    status.textContent = "Search is unavailable: its index did not load. " +
      "Browse the catalogue of case studies instead.";
  }

  /* -- the header dialog --------------------------------------------------------------- */

  function startHeader() {
    var dialog = document.getElementById("cb-header-search");
    if (!dialog) return;
    var toggle = document.getElementById("__search");
    var form = document.getElementById("cb-header-search-form");
    var input = document.getElementById("cb-header-search-query");
    var status = document.getElementById("cb-header-search-status");
    var list = document.getElementById("cb-header-search-results");
    var more = document.getElementById("cb-header-search-more");
    var suggestion = document.getElementById("cb-header-search-suggestion");
    var ready = status.querySelector(".cb-search-status__ready");
    var searchPage = dialog.getAttribute("data-search-page");
    var timer = null, latest = 0;
    if (ready) ready.hidden = false;

    /* Material opens its results when its search field gets focus; with its search
       plugin replaced, the site does that itself, or a desktop reader (who has no
       search button to press) would type into a field whose results never show. */
    function show() {
      if (toggle && !toggle.checked) {
        toggle.checked = true;
        toggle.dispatchEvent(new Event("change"));
      }
      engine(); /* start loading while the reader types */
    }

    function open() {
      show();
      input.focus();
      input.select();
    }

    function close() {
      if (toggle && toggle.checked) {
        toggle.checked = false;
        toggle.dispatchEvent(new Event("change"));
      }
    }

    function run(text) {
      var ticket = ++latest;
      text = text.trim();
      if (!text) {
        list.textContent = "";
        more.hidden = true;
        suggestion.hidden = true;
        status.textContent = "Type to search every case study and policy page.";
        return;
      }
      casebookSearch(text).then(function (found) {
        if (ticket !== latest) return null;
        return Promise.all(found.results.slice(0, HEADER_LIMIT).map(function (r) {
          return r.data();
        })).then(function (datas) {
          if (ticket !== latest) return;
          list.textContent = "";
          datas.forEach(function (data) {
            list.appendChild(resultItem(data, "md-search-result__item"));
          });
          status.textContent = countText(found);
          showSuggestion(suggestion, found, function (corrected) {
            input.value = corrected;
            run(corrected);
            input.focus();
          });
          var link = more.querySelector("a");
          link.href = searchPage + "?q=" + encodeURIComponent(text);
          link.textContent = found.total > HEADER_LIMIT
            ? "All " + found.total + " results, with filters" : "Open on the search page, with filters";
          more.hidden = found.total === 0;
        });
      }).catch(function () { if (ticket === latest) failed(status); });
    }

    input.addEventListener("focus", show);
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { run(input.value); }, 150);
    });
    form.addEventListener("reset", function () {
      window.setTimeout(function () { run(""); input.focus(); }, 0);
    });
    if (toggle) {
      toggle.addEventListener("change", function () {
        if (toggle.checked) window.setTimeout(function () { input.focus(); }, 0);
      });
    }
    /* Material's keys: s, f or / open search; Escape closes it; arrows move through
       the results. */
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      var typing = target && (target.isContentEditable ||
        /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      var isOpen = toggle ? toggle.checked : false;
      if (isOpen && event.key === "Escape") {
        event.preventDefault();
        close();
        return;
      }
      if (isOpen && (event.key === "ArrowDown" || event.key === "ArrowUp") &&
          dialog.contains(target)) {
        var links = Array.prototype.slice.call(list.querySelectorAll("a"));
        if (!links.length) return;
        var at = links.indexOf(target);
        var next = event.key === "ArrowDown" ? at + 1 : at - 1;
        if (next < 0) input.focus();
        else links[Math.min(next, links.length - 1)].focus();
        event.preventDefault();
        return;
      }
      if (!typing && !isOpen && (event.key === "s" || event.key === "f" || event.key === "/")) {
        event.preventDefault();
        open();
      }
    });
  }

  /* -- the search page ----------------------------------------------------------------- */

  var PAGE_SIZE = 10;

  function startPage() {
    var root = document.getElementById("cb-search-page");
    if (!root) return;
    var form = document.getElementById("cb-search-page-form");
    var input = document.getElementById("cb-search-page-query");
    var body = document.getElementById("cb-search-page-body");
    var facetsBox = document.getElementById("cb-search-facets");
    var status = document.getElementById("cb-search-page-status");
    var suggestion = document.getElementById("cb-search-page-suggestion");
    var list = document.getElementById("cb-search-page-results");
    var more = document.getElementById("cb-search-page-more");
    var facets = Array.prototype.map.call(root.querySelectorAll("[data-facet]"), function (el) {
      return el.getAttribute("data-facet");
    });
    document.getElementById("cb-search-nojs").hidden = true;
    body.hidden = false;
    facetsBox.hidden = false;
    var shown = [], shownCount = 0, latest = 0;

    function readUrl() {
      var params = new URLSearchParams(window.location.search);
      var state = { q: (params.get("q") || "").trim(), filters: {} };
      facets.forEach(function (facet) { state.filters[facet] = params.getAll(facet); });
      return state;
    }

    function readForm() {
      var state = { q: input.value.trim(), filters: {} };
      facets.forEach(function (facet) {
        state.filters[facet] = Array.prototype.map.call(
          form.querySelectorAll('input[name="' + facet + '"]:checked'),
          function (box) { return box.value; });
      });
      return state;
    }

    function writeForm(state) {
      input.value = state.q;
      Array.prototype.forEach.call(form.querySelectorAll('input[type="checkbox"]'), function (box) {
        box.checked = (state.filters[box.name] || []).indexOf(box.value) !== -1;
      });
    }

    function queryString(state) {
      var params = new URLSearchParams();
      if (state.q) params.append("q", state.q);
      facets.forEach(function (facet) {
        state.filters[facet].forEach(function (value) { params.append(facet, value); });
      });
      var text = params.toString();
      return text ? "?" + text : window.location.pathname;
    }

    function showCounts(state, counts) {
      facets.forEach(function (facet) {
        var details = root.querySelector('[data-facet="' + facet + '"]');
        Array.prototype.forEach.call(details.querySelectorAll("input"), function (box) {
          var count = box.parentNode.querySelector("[data-count]");
          var n = counts && counts[facet] ? counts[facet][box.value] || 0 : null;
          count.textContent = n === null ? "" : "(" + n + ")";
        });
        var selected = state.filters[facet].length;
        details.querySelector("[data-selected]").textContent =
          selected ? " (" + selected + " selected)" : "";
        if (selected) details.open = true;
      });
    }

    function showMore() {
      var next = shown.slice(shownCount, shownCount + PAGE_SIZE);
      return Promise.all(next.map(function (r) { return r.data(); })).then(function (datas) {
        datas.forEach(function (data) { list.appendChild(resultItem(data, "cb-search-results__item")); });
        shownCount += next.length;
        more.hidden = shownCount >= shown.length;
      });
    }

    function run(state) {
      var ticket = ++latest;
      list.textContent = "";
      more.hidden = true;
      suggestion.hidden = true;
      if (!state.q) {
        status.textContent = "Type words to search for, then press Enter.";
        showCounts(state, null);
        return Promise.resolve();
      }
      status.textContent = "Searching\u2026";
      var options = { filters: state.filters, counts: true, prefetch: PAGE_SIZE };
      return casebookSearch(state.q, options).then(function (found) {
        if (ticket !== latest) return null;
        shown = found.results;
        shownCount = 0;
        showCounts(state, found.anyWord ? null : found.filters);
        showSuggestion(suggestion, found, function (corrected) {
          var next = readForm();
          next.q = corrected;
          writeForm(next);
          update(true);
        });
        return showMore().then(function () { status.textContent = countText(found); });
      }).catch(function () { if (ticket === latest) failed(status); });
    }

    function update(push) {
      var state = readForm();
      var target = queryString(state);
      if (target !== (window.location.search || window.location.pathname)) {
        if (push) window.history.pushState(null, "", target);
        else window.history.replaceState(null, "", target);
      }
      return run(state);
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); update(true); });
    form.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") update(true);
    });
    more.addEventListener("click", function () { showMore(); });
    window.addEventListener("popstate", function () {
      var state = readUrl();
      writeForm(state);
      run(state);
    });
    var initial = readUrl();
    writeForm(initial);
    run(initial);
  }

  function start() {
    startHeader();
    startPage();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
