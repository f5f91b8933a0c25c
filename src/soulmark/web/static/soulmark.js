// soulmark: live wrists, the guided breath, the join preview.  No libraries, no network
// beyond this site's own JSON API.
(function () {
  "use strict";

  function clamp(x) { return Math.max(0, Math.min(1, x)); }

  // The page's words in its language (the server's catalogs), read once from #words.
  var WORDS = (function () {
    var el = document.getElementById("words");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  })();
  function word(key, fallback) { return WORDS[key] || fallback; }

  // Times are spelled by the server (Babel) in the world's zone until the browser's own is
  // known; here each <time datetime> is said again in the reader's zone and the page's
  // language, with the server's words for "today at" (issue 18 item 6).
  function friendly(iso) {
    var at = new Date(iso);
    if (!iso || isNaN(at.getTime())) return "";
    var lang = document.documentElement.lang || "en";
    try {
      var now = new Date();
      var days = Math.round((Date.UTC(at.getFullYear(), at.getMonth(), at.getDate()) -
        Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())) / 86400000);
      var time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
      var day = { "-1": "at_yesterday", "0": "at_today", "1": "at_tomorrow" }[String(days)];
      if (day && WORDS[day]) return WORDS[day].replace("%(time)s", time);
      var opts = { month: "long", day: "numeric" };
      if (at.getFullYear() !== now.getFullYear()) opts.year = "numeric";
      var date = new Intl.DateTimeFormat(lang, opts).format(at);
      return (WORDS.date_at || "%(date)s %(time)s").replace("%(date)s", date).replace("%(time)s", time);
    } catch (e) { return ""; }
  }
  function when(iso) { return friendly(iso) || (iso ? iso.slice(0, 10) + " " + iso.slice(11, 16) : ""); }

  function sayTimes() {
    document.querySelectorAll("time[datetime]:not([data-countdown])").forEach(function (t) {
      var text = friendly(t.getAttribute("datetime"));
      if (text && t.textContent !== text) t.textContent = text;
    });
  }

  // The server learns the browser's time zone once, for the pages and notes still to come;
  // this page's times are said again here, so it is not fetched twice.
  function learnZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) return;
    sayTimes();
    var had = document.cookie.indexOf("sm_tz=") >= 0;
    var same = zone === document.documentElement.dataset.tz;
    document.documentElement.dataset.tz = zone;
    // A page already in the right zone (a world's, guessed) still remembers it for the rest.
    if (had && same) return;
    document.cookie = "sm_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el && text != null && el.textContent !== text) el.textContent = text;
  }

  // Strokes are fixed shapes; only how much of each is drawn follows the progress.
  function drawStrokes(view) {
    var total = view.strokes_total || 12;
    document.querySelectorAll("#ink .stroke").forEach(function (path, i) {
      var fill = 0;
      if (view.state === "inking") fill = clamp((view.progress || 0) * total - i);
      else if (view.state === "covered" || view.state === "revealed") fill = 1;
      path.setAttribute("stroke-dashoffset", (1 - fill).toFixed(4));
    });
  }

  // The drawing's accessible name says what it shows; a name stays out of it until the
  // server's own page (reloaded below) puts it there.
  function nameWrist(state) {
    var svg = document.getElementById("mark");
    var label = WORDS["wrist_" + state];
    if (svg && label && !document.getElementById("mark-name")) svg.setAttribute("aria-label", label);
  }

  // Opted in on this device: a gentle buzz when the itch starts (phones that can).
  function buzz(before, state) {
    if (before === "bare" && state === "itching" && navigator.vibrate &&
        localStorage.getItem("sm_buzz") === "1") {
      navigator.vibrate([120, 80, 120]);
    }
  }

  function reduced() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  // A motion's length from the stylesheet's tokens (docs/design.md), none under reduced motion.
  function motion(name) {
    if (reduced()) return 0;
    var v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v.slice(-2) === "ms" ? parseFloat(v) : parseFloat(v) * 1000 || 0;
  }

  // Both reached out: the card of good news holds the contact and, now, the safety note.
  function match(view) {
    var contact = document.getElementById("contact");
    var text = document.getElementById("contact-text");
    var card = document.getElementById("match");
    if (text) text.textContent = view.contact;
    else if (contact) contact.textContent = word("contact", "You both reached out:") + " " + view.contact;
    if (contact) contact.hidden = false;
    if (card) {
      card.hidden = false;
      var safety = document.getElementById("safety");
      if (safety && safety.parentNode !== card) card.appendChild(safety);
    }
    // Passed both ways now: nothing left to take back.
    ["reach-wait", "withdraw-form"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.hidden = true;
    });
  }

  function apply(root, view) {
    // The wrist page shows a name in place (no reload, no jump): the bandage lifts first.
    if (root.dataset.revealing) { root.latest = view; return; }
    if (root.id === "wrist" && view.name && !document.getElementById("mark-name")) {
      reveal(root, view);
      return;
    }
    var before = root.dataset.state;
    root.dataset.state = view.state;
    if (before !== view.state) { nameWrist(view.state); buzz(before, view.state); }
    var transcript = document.getElementById("transcript-wrap");
    if (transcript && view.transcript) transcript.hidden = false;
    setText("message", view.message);
    setText("legible-at", friendly(view.legible_at) || view.legible_at_text || when(view.legible_at));
    var bar = document.getElementById("progress");
    if (bar) bar.value = view.progress || 0;
    drawStrokes(view);
    document.querySelectorAll("[data-show]").forEach(function (el) {
      el.hidden = el.dataset.show.split(" ").indexOf(view.state) < 0;
    });
    if (view.contact) match(view);
    // A name appears (or is hidden again) only through the server's own page.
    var hasName = !!document.getElementById("mark-name");
    // A GET of the page itself: reloading a POST answer (a new share link) would re-POST it.
    if (!!view.name !== hasName) window.location.replace(root.dataset.home || window.location.href);
  }

  // What the page gains once the name is read: the sections the server now renders (the
  // revealed one, the share links' name switches, the partner's number for the curious), taken
  // from its own page.  A box holding a share link shown only once stays as it is.
  var REVEALED = ["revealed", "friends", "about"];

  function swapIn(root, fresh) {
    var name = fresh.querySelector("#name-on-wrist");
    var here = document.getElementById("name-on-wrist");
    if (!name || !here) throw new Error("no name on the page");
    var placed = document.importNode(name, true);
    if (motion("--settle")) placed.classList.add("settling");
    here.replaceWith(placed);
    var label = fresh.querySelector("#mark");
    if (label) document.getElementById("mark").setAttribute("aria-label", label.getAttribute("aria-label"));
    var after = document.getElementById("look-section");
    REVEALED.forEach(function (id) {
      var el = fresh.querySelector("#" + id);
      var old = document.getElementById(id);
      if (!el || (old && old.querySelector("#new-share-box"))) return;
      var node = document.importNode(el, true);
      if (old) old.replaceWith(node);
      else if (after) after.after(node);
      node.querySelectorAll("form[method=post]").forEach(once);
      after = node;
    });
    wire(root);
  }

  function reveal(root, view) {
    root.dataset.revealing = "1";
    root.latest = view;
    var lift = motion("--lift");
    if (lift) root.dataset.lifting = "";
    var page = fetch(root.dataset.home, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(String(r.status))); });
    var lifted = new Promise(function (done) { setTimeout(done, lift); });
    Promise.all([page, lifted]).then(function (got) {
      var fresh = new DOMParser().parseFromString(got[0], "text/html").getElementById("wrist");
      if (!fresh) throw new Error("not a wrist page");
      swapIn(root, fresh);
      delete root.dataset.lifting;
      delete root.dataset.revealing;
      apply(root, root.latest);
      var name = document.getElementById("partner-name");
      if (name) { name.tabIndex = -1; name.focus({ preventScroll: true }); }
    }).catch(function () { window.location.replace(root.dataset.home || window.location.href); });
  }

  // Looking without leaving the page: the JSON API, then the reveal in place.  Without
  // scripts (or if the call fails) the form posts as it always did.
  function lookInPlace(root, form) {
    form.addEventListener("submit", function (e) {
      if (!window.fetch || !window.DOMParser) return;
      e.preventDefault();
      var button = document.getElementById("look");
      if (button) button.disabled = true;
      fetch("/api/wrist/look", { method: "POST", headers: authHeaders(root), cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(String(r.status))); })
        .then(function (view) { apply(root, view); })
        .catch(function () { form.submit(); });
    });
  }

  // Copy what an element shows (a contact): the clipboard, else the text selected.
  function copyText(button) {
    var source = document.getElementById(button.dataset.copyText || "contact-text");
    var status = document.getElementById("copy-contact-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!source) return;
      var done = function () { if (status) status.textContent = word("copied", "Copied."); };
      var range = document.createRange();
      range.selectNodeContents(source);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(source.textContent).then(done, function () {
          document.execCommand("copy"); done();
        });
      } else { document.execCommand("copy"); done(); }
    });
  }

  // What a part of the page arriving later needs bound.
  function wire(root) {
    var copy = document.getElementById("copy-contact");
    if (copy && copy.hidden) copyText(copy);
    fillers();  // a revealed part arrives with its reach-out choices still to offer
  }

  // Opened through a session ("me"), the HttpOnly cookie authenticates and no token is here.
  // A page opened through a session names it (me-<handle>): the cookie holds the token,
  // and the header says which of this browser's wrists the call is for.
  function authHeaders(root) {
    var token = root.dataset.token;
    if (!token || token === "me") return {};
    if (token.indexOf("me-") === 0) return { "X-Soulmark-Session": token.slice(3) };
    return { Authorization: "Bearer " + token };
  }

  // A revoked or dead link must not leave a name on screen.
  function forget() {
    ["mark-name", "partner-name", "shared-name"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.remove();
    });
    var svg = document.getElementById("mark");
    if (svg) svg.setAttribute("aria-label", word("wrist_bare", ""));
    setText("message", word("gone", "This link no longer works."));
  }

  // One fetch of the JSON twin; a dead link (401/404) stops everything and hides the name.
  function poller(root, url, onData, onDead) {
    var busy = false, timer = null;
    var headers = authHeaders(root);
    function tick() {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url, { headers: headers, cache: "no-store" })
        .then(function (r) {
          if (r.status === 404 || r.status === 401) { stop(); onDead(); return null; }
          return r.ok ? r.json() : null;
        })
        .then(function (data) { if (data) onData(data); })
        .catch(function () { /* offline for a moment: try again next tick */ })
        .then(function () { busy = false; });
    }
    function start(ms) { if (!timer) timer = setInterval(tick, ms); }
    function stop() { if (timer) clearInterval(timer); timer = null; }
    return { tick: tick, start: start, stop: stop };
  }

  // Server-sent events first: the server pushes each change at its moment.  The browser
  // reconnects by itself (sending Last-Event-ID) after a dropped connection; when the server
  // refuses (the link is dead, too many tabs, the server is restarting) we try again with a
  // growing delay, and only while streaming keeps failing do we fall back to slow polling.
  function subscribe(root, api, event, onData, onDead, pollMs) {
    var failures = 0, dead = false;
    var poll = poller(root, api, onData, function () {
      dead = true;
      root.dataset.stream = "closed";
      onDead();
    });
    var token = root.dataset.token || "";
    // EventSource cannot send a header: a page names its session in the path (the server
    // reads the token from that session's cookie); a page holding a bare token polls.
    if (!window.EventSource || token.indexOf("me-") !== 0) { poll.tick(); poll.start(pollMs); return; }
    var events = "/" + api.split("/").pop() + "/" + token + "/events";
    function connect() {
      var es = new EventSource(events);
      root.dataset.stream = "connecting";
      es.addEventListener(event, function (e) {
        failures = 0;
        root.dataset.stream = "open";
        poll.stop();
        onData(JSON.parse(e.data));
      });
      es.onerror = function () {
        if (es.readyState !== EventSource.CLOSED || dead) return;  // the browser retries
        es.close();
        failures += 1;
        root.dataset.stream = "retrying";
        poll.tick();  // a dead link answers 404 here and stops us
        if (failures >= 3) poll.start(Math.max(pollMs, 10000));
        var delay = Math.min(30000, 1000 * Math.pow(2, failures)) * (0.5 + Math.random() / 2);
        setTimeout(function () { if (!dead) connect(); }, delay);
      };
    }
    connect();
  }

  function live(root) {
    var ms = Math.max(250, parseInt(root.dataset.poll, 10) || 1000);
    var event = root.id === "shared" ? "share" : "wrist";
    subscribe(root, root.dataset.api, event, function (view) { apply(root, view); }, forget, ms);
  }

  // The organizer's counts follow the clock too (aggregates only, B2).
  function liveCounts(root) {
    var ms = Math.max(1000, parseInt(root.dataset.poll, 10) || 5000);
    subscribe(root, root.dataset.countsApi, "counts", function (data) {
      Object.keys(data.counts).forEach(function (state) {
        var cell = document.getElementById("count-" + state);
        if (cell) { cell.textContent = data.counts[state]; cell.dataset.count = data.counts[state]; }
      });
      setText("now", friendly(data.at) || data.at_text || when(data.at));
    }, function () { /* a dead organizer link: the counts stay as they were */ }, ms);
  }

  // The guided breath: in for four (the circle grows), hold for five, out for six (it
  // shrinks), three times.  Everything follows the clock from the start, so a tab put away
  // comes back in step.  The phase is announced once (politely); the count is for the eyes.
  // Under reduced motion the circle keeps still and a bar fills through each phase.
  var BREATH = [["in", "breathe_in", "Breathe in", 4], ["hold", "hold", "Hold", 5],
    ["out", "breathe_out", "Breathe out", 6]];
  var CYCLES = 3, CYCLE_MS = 15000, SMALL = 0.5;

  function ease(t) { return t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2; }

  function breathAt(ms) {
    var inCycle = ms % CYCLE_MS, start = 0;
    for (var i = 0; i < BREATH.length; i++) {
      var len = BREATH[i][3] * 1000;
      if (inCycle < start + len) {
        return { cycle: Math.floor(ms / CYCLE_MS), phase: i, into: (inCycle - start) / len,
          left: Math.ceil((start + len - inCycle) / 1000) };
      }
      start += len;
    }
    return null;
  }

  function breathScale(at) {
    if (at.phase === 0) return SMALL + (1 - SMALL) * ease(at.into);
    if (at.phase === 1) return 1;
    return 1 - (1 - SMALL) * ease(at.into);
  }

  function breathe(button) {
    function el(id) { return document.getElementById(id); }
    var box = el("breath"), text = el("breath-text"), count = el("breath-count");
    var circle = el("breath-circle"), bar = el("breath-bar"), round = el("breath-round");
    var skip = el("breath-skip"), again = el("breath-again");
    var root = document.querySelector("[data-live]");
    var started = 0, tick = null, frame = null, said = null, still = false;

    function mark(phase) { box.dataset.phase = phase; if (root) root.dataset.breath = phase; }
    function size(scale) { circle.style.transform = "scale(" + scale.toFixed(4) + ")"; }

    function render() {
      var ms = Date.now() - started;
      var at = ms < CYCLES * CYCLE_MS ? breathAt(ms) : null;
      if (!at) { finish(); return null; }
      var p = BREATH[at.phase];
      var key = at.cycle + ":" + at.phase;
      if (key !== said) {
        said = key;
        mark(p[0]);
        text.textContent = word(p[1], p[2]);
        round.textContent = word("breath_round", "Breath {n} of {total}")
          .replace("{n}", at.cycle + 1).replace("{total}", CYCLES);
      }
      if (count.textContent !== String(at.left)) count.textContent = at.left;
      bar.value = at.into;
      if (!still) size(breathScale(at));
      return ms;
    }

    // Words and count change on whole seconds (every phase starts on one).
    function onSecond() {
      var ms = render();
      if (ms !== null) tick = setTimeout(onSecond, 1000 - (ms % 1000));
    }
    function onFrame() {
      if (render() !== null) frame = requestAnimationFrame(onFrame);
    }
    function stop() {
      if (tick) clearTimeout(tick);
      if (frame) cancelAnimationFrame(frame);
      tick = frame = null;
    }
    function finish() {
      stop();
      mark("done");
      text.textContent = word("ready", "Whenever you are ready.");
      count.textContent = "";
      round.textContent = "";
      bar.value = 1;
      if (!still) size(SMALL);
      skip.hidden = true;
      again.hidden = false;
      button.disabled = false;
      var look = el("look");
      if (look) look.focus();
    }
    function start() {
      stop();
      still = reduced();
      button.disabled = true;
      button.hidden = true;
      box.hidden = false;
      skip.hidden = false;
      again.hidden = true;
      said = null;
      started = Date.now();
      onSecond();
      if (!still) frame = requestAnimationFrame(onFrame);
      skip.focus();
    }
    button.addEventListener("click", start);
    again.addEventListener("click", start);
    skip.addEventListener("click", finish);
  }

  // The server's own list of characters that show nothing (soulmark.core.validate), so the
  // preview trims exactly what the server trims and refuses what it refuses.
  function blankTest(input, list) {
    var ranges = JSON.parse(list || input.dataset.blank || "[]");
    return function (cp) {
      for (var i = 0; i < ranges.length; i++) {
        if (cp >= ranges[i][0] && cp <= ranges[i][1]) return true;
      }
      return false;
    };
  }

  function cleanName(raw, isBlank) {
    var cps = Array.from(raw.normalize("NFC"));
    var a = 0, b = cps.length;
    while (a < b && isBlank(cps[a].codePointAt(0))) a++;
    while (b > a && isBlank(cps[b - 1].codePointAt(0))) b--;
    return cps.slice(a, b).join("");
  }

  function shows(name, isBlank) {
    return Array.from(name).some(function (ch) {
      return !isBlank(ch.codePointAt(0)) && !/^[\p{M}\p{Z}\p{C}]$/u.test(ch);
    });
  }

  function preview(input) {
    var box = document.getElementById("join-preview");
    var out = document.getElementById("preview-name");
    var isBlank = blankTest(input);
    // Inside a name, what shows nothing is refused (HIDDEN_RANGES), as the server refuses it.
    var isHidden = blankTest(input, input.dataset.hidden || "[]");
    var max = parseInt(input.getAttribute("maxlength"), 10);
    input.addEventListener("input", function () {
      var name = cleanName(input.value, isBlank);
      var ok = name && shows(name, isBlank);
      var hides = Array.from(name).some(function (ch) { return isHidden(ch.codePointAt(0)); });
      // String length counts UTF-16 units, as the server does (MAX_NAME).
      var msg = !input.value ? "" : !ok ? input.dataset.invisible
        : hides ? input.dataset.hides
        : name.length > max ? input.dataset.toolong : "";
      input.setCustomValidity(msg);
      // Previewed only what would be stored: a refused name shows no preview.
      out.textContent = msg ? "" : name;
      box.hidden = !name || !!msg;
    });
  }

  // One click, one request: a second "Join" would otherwise replace the page that holds the
  // only copy of the new wrist link with an "already joined" error.
  function once(form) {
    form.addEventListener("submit", function () {
      setTimeout(function () {
        form.querySelectorAll("button[type=submit]:not([disabled])").forEach(function (b) {
          b.disabled = true;
          b.dataset.sent = "1";
        });
      }, 0);
    });
  }

  // A new share link: select on focus, a copy button, and the phone's own share sheet.
  function sharing(input) {
    input.addEventListener("focus", function () { input.select(); });
    var status = document.getElementById("copy-status");
    var copyButton = document.getElementById("copy-share");
    if (copyButton) {
      copyButton.addEventListener("click", function () {
        var done = function () { status.textContent = copyButton.dataset.copied; };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(input.value).then(done, function () {
            input.select(); document.execCommand("copy"); done();
          });
        } else { input.select(); document.execCommand("copy"); done(); }
      });
    }
    var shareButton = document.getElementById("share-share");
    if (shareButton && navigator.share) {
      shareButton.hidden = false;
      shareButton.addEventListener("click", function () {
        navigator.share({ title: shareButton.dataset.title, url: input.value })
          .catch(function () { /* the person closed the sheet */ });
      });
    }
  }

  // Choices kept on this device only: the drawn skin tone, and the opt-in buzz.  Nothing is
  // assumed: until a tone is chosen the drawing is neutral and the page asks for one.
  function care() {
    var root = document.documentElement;
    var skin = localStorage.getItem("sm_skin");
    var radios = document.querySelectorAll("input[name=skin]");
    function choose(tone) {
      localStorage.setItem("sm_skin", tone);
      root.dataset.skin = tone;
      radios.forEach(function (radio) { radio.checked = radio.value === tone; });
    }
    if (skin) root.dataset.skin = skin;
    radios.forEach(function (radio) {
      radio.checked = radio.value === skin;
      radio.addEventListener("change", function () { if (radio.checked) choose(radio.value); });
    });
    document.querySelectorAll("#skin-ask button[data-tone]").forEach(function (b) {
      b.addEventListener("click", function () {
        choose(b.dataset.tone);
        var message = document.getElementById("message");
        if (message) { message.tabIndex = -1; message.focus({ preventScroll: true }); }
      });
    });
    var box = document.getElementById("buzz");
    if (box && navigator.vibrate) {
      box.checked = localStorage.getItem("sm_buzz") === "1";
      box.addEventListener("change", function () {
        localStorage.setItem("sm_buzz", box.checked ? "1" : "0");
        if (box.checked) navigator.vibrate(60);
      });
    }
  }

  // Coming back to a page (the back button) brings its buttons back too.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[data-sent]").forEach(function (b) {
      b.disabled = false;
      delete b.dataset.sent;
    });
  });

  // "Copy" next to a link: the clipboard when the browser allows it, else the text selected.
  function copyButton(button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      if (!field) return;
      field.select();
      var done = function () { button.textContent = word("copied", "Copied."); };
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () {});
      else done();
    });
  }

  // A private link carries its token after "#", which no browser sends to any server or
  // proxy: the page hands it over in its form's body, and the address bar forgets it.
  function openLink(form) {
    var token = window.location.hash.slice(1);
    if (!token) return;
    history.replaceState(null, "", window.location.pathname + window.location.search);
    form.elements.link.value = token;
    form.submit();
  }

  // An error page's way back: the browser's own Back keeps what was typed in the form.
  function goBack(link) {
    link.addEventListener("click", function (e) {
      if (window.history.length < 2) return;
      e.preventDefault();
      window.history.back();
    });
  }

  // /new: the time zone this browser lives in, unless the page already holds a choice.
  function pickZone(select) {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    if (!zone) return;
    if (!select.dataset.chosen && select.querySelector("option[value='" + zone + "']")) {
      select.value = zone;
    }
    document.querySelectorAll("a[data-preset]").forEach(function (a) {
      a.href = "/new?preset=" + a.dataset.preset + "&tz=" + encodeURIComponent(select.value);
    });
    select.addEventListener("change", function () {
      document.querySelectorAll("a[data-preset]").forEach(function (a) {
        a.href = "/new?preset=" + a.dataset.preset + "&tz=" + encodeURIComponent(select.value);
      });
    });
  }

  // A choice that fills a box (the reach-out's join address): offered, never pre-filled.
  function fillers() {
    document.querySelectorAll("button[data-fill]").forEach(function (b) {
      var box = document.getElementById(b.dataset.fill);
      if (!box || b.dataset.bound) return;
      b.dataset.bound = "1";
      b.hidden = false;
      b.addEventListener("click", function () { box.value = b.dataset.value; box.focus(); });
    });
  }

  // The poster and the big screen: print, full screen, and a countdown to the draw.
  function night() {
    document.querySelectorAll("button[data-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("button[data-fullscreen]").forEach(function (b) {
      var target = document.getElementById(b.dataset.fullscreen);
      if (!target || !target.requestFullscreen) return;
      b.hidden = false;
      b.addEventListener("click", function () { target.requestFullscreen().catch(function () {}); });
    });
    document.querySelectorAll("time[data-countdown]").forEach(function (t) {
      var end = Date.parse(t.getAttribute("datetime"));
      if (isNaN(end)) return;
      function pad(n) { return (n < 10 ? "0" : "") + n; }
      function tick() {
        var s = Math.max(0, Math.round((end - Date.now()) / 1000));
        t.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
      }
      tick();
      setInterval(tick, 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("a[data-back]").forEach(goBack);
    night();
    fillers();
    var zones = document.getElementById("new-zone");
    if (zones && zones.tagName === "SELECT") pickZone(zones);
    var opener = document.getElementById("open-form");
    if (opener) { openLink(opener); return; }
    learnZone();
    document.querySelectorAll("form[method=post]").forEach(once);
    var root = document.querySelector("[data-live]");
    if (root) live(root);
    var looking = document.getElementById("look-form");
    if (root && looking && root.id === "wrist") lookInPlace(root, looking);
    if (root) wire(root);
    var org = document.querySelector("[data-counts-api]");
    if (org) liveCounts(org);
    var b = document.getElementById("breathe");
    if (b) breathe(b);
    var name = document.querySelector("#join-form #name, #name-form #own-name");
    if (name) preview(name);
    document.querySelectorAll("button[data-copy]").forEach(copyButton);
    var copy = document.getElementById("new-share");
    if (copy) sharing(copy);
    care();
  });
})();
