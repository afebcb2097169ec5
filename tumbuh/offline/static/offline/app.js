// The posyandu entry without signal (tumbuh/offline, issue 16).
//
// Everything the page shows comes from IndexedDB (idb-keyval): the package of children the user
// may see (GET /api/luring/paket/, one desa or posyandu, with an expiry) and the records entered
// on this phone, each with a UUID made here and a revision. The status of a visit is computed
// here with the growth engine (TumbuhGrowth, growth.js) and the checks of the online form
// (TumbuhChecks, checks.js). Records are sent (POST /api/luring/sinkron/) when the page opens
// and when the network comes back; sending the same UUID and revision twice creates the record
// once, so a sync cut off halfway is simply run again. Each record is shown as waiting, sent or
// needing attention (with the server's reason, a fix or the choices of a conflict).
// No inline script (strict CSP): the page's settings and texts come in <script type=json>.
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("luring-config").textContent);
  var phoneTexts = JSON.parse(document.getElementById("luring-phone-texts").textContent);
  var T = cfg.texts;
  var kv = window.idbKeyval;
  var store = kv.createStore("tumbuh-luring", "data");
  var REC = "rec:";
  var WAITING_KEY = "tumbuh-luring-waiting"; // read by offline/logout.js
  var BATCH = 50;

  var state = {
    pkg: null, // {owner, scope_choice, data: the package}
    records: [], // this user's records
    device: null,
    child: null, // the child whose visit is entered: {source: "package"|"phone", ...}
    editing: null, // the record being fixed (its uuid), or null
    csrf: null,
    lastSync: null,
    syncing: null,
    problem: "", // the last sync's problem, shown in the status line
  };

  // ------------------------------------------------------------------ small helpers

  function $(id) { return document.getElementById(id); }

  function fmt(text, params) {
    return String(text).replace(/%\((\w+)\)s/g, function (all, key) {
      return params && params[key] !== undefined && params[key] !== null ? String(params[key]) : all;
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The phone's own date (the cadre's day), as YYYY-MM-DD.
  function todayISO() {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function showDate(iso) {
    if (!iso) return "—";
    var p = String(iso).slice(0, 10).split("-");
    return p.length === 3 ? p[2] + "/" + p[1] + "/" + p[0] : iso;
  }

  function showDateTime(iso) {
    if (!iso) return "—";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    return pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + "/" + d.getFullYear() + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function ageDays(birth, on) {
    return Math.round((Date.parse(on + "T00:00:00Z") - Date.parse(birth + "T00:00:00Z")) / 86400000);
  }

  // A figure rounded half up on the decimal it is written as, as tumbuh.core.numbers does
  // (the shortest decimal of the float, then ROUND_HALF_UP), in the page's language.
  function roundDecimal(x, places) {
    var negative = x < 0;
    var text = Math.abs(x).toString();
    if (text.indexOf("e") !== -1) text = Math.abs(x).toFixed(20).replace(/0+$/, "");
    var parts = text.split(".");
    var whole = parts[0];
    var frac = parts[1] || "";
    if (frac.length > places) {
      var up = frac.charAt(places) >= "5";
      frac = frac.slice(0, places);
      if (up) {
        var digits = (whole + frac).split("");
        var i = digits.length - 1;
        while (i >= 0) {
          if (digits[i] === "9") { digits[i] = "0"; i -= 1; } else { digits[i] = String(+digits[i] + 1); break; }
        }
        if (i < 0) digits.unshift("1");
        var all = digits.join("");
        whole = all.slice(0, all.length - places) || "0";
        frac = all.slice(all.length - places);
      }
    }
    while (frac.length < places) frac += "0";
    var zero = /^0*$/.test(whole + frac);
    return { sign: negative && !zero ? "-" : "", whole: whole, frac: frac };
  }

  function formatNumber(x, places, minPlaces) {
    if (x === null || x === undefined || x === "" || !isFinite(x)) return "—";
    var r = roundDecimal(Number(x), places);
    var frac = r.frac;
    if (minPlaces !== undefined) {
      frac = frac.replace(/0+$/, "");
      while (frac.length < minPlaces) frac += "0";
    }
    return r.sign + r.whole + (frac ? cfg.decimal + frac : "");
  }

  function formatZ(z) {
    return window.TumbuhChecks && window.TumbuhChecks.formatZ ? window.TumbuhChecks.formatZ(z) : formatNumber(z, 2);
  }

  function formatMeasure(x) {
    return window.TumbuhChecks && window.TumbuhChecks.formatMeasure ? window.TumbuhChecks.formatMeasure(x) : formatNumber(x, 2, 1);
  }

  // "9,5" or "9.5" → 9.5; "" → null; anything else → NaN (the online form's DecimalCommaField).
  function parseDecimal(text) {
    var t = String(text || "").replace(/\s+/g, "");
    if (!t) return null;
    if (!/^\d+([.,]\d+)?$/.test(t)) return NaN;
    return parseFloat(t.replace(",", "."));
  }

  function normalise(text) {
    var t = String(text || "").toLowerCase();
    if (t.normalize) t = t.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    return t.replace(/\s+/g, " ").trim();
  }

  function digitsOnly(text) { return String(text || "").replace(/\D/g, ""); }

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // HMAC-SHA256(key = the package's salt, message = the 16-digit NIK), lowercase hex: the
  // package's nik_hash, so a typed NIK is found without the phone holding any NIK.
  function nikHash(salt, nik) {
    var enc = new TextEncoder();
    return window.crypto.subtle.importKey("raw", enc.encode(salt), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (key) { return window.crypto.subtle.sign("HMAC", key, enc.encode(nik)); })
      .then(function (sig) {
        return Array.prototype.map.call(new Uint8Array(sig), function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
      });
  }

  // The package keeps only the first digits of each hash (package.py): a typed NIK matches a
  // child when its hash starts so and, for the child's own NIK, the birth date it holds
  // (DDMMYY, day + 40 for girls) is the child's.
  function nikBirthDate(nik) {
    var day = +nik.slice(6, 8), month = nik.slice(8, 10), year = nik.slice(10, 12);
    if (day > 40) day -= 40;
    return { dayMonth: (day < 10 ? "0" : "") + day + "-" + month, year: year };
  }
  function nikMatchesChild(c, nik, h) {
    if (!h || !c.nik_hash || h.slice(0, c.nik_hash.length) !== c.nik_hash) return false;
    var born = nikBirthDate(nik), date = c.birth_date || "";
    return date.slice(2, 4) === born.year && date.slice(5, 10).split("-").reverse().join("-") === born.dayMonth;
  }
  function nikMatchesParent(c, h) {
    return !!(h && c.parent_nik_hash && h.slice(0, c.parent_nik_hash.length) === c.parent_nik_hash);
  }

  function message(text, kind) {
    var node = $("luring-message");
    node.textContent = text || "";
    node.className = "luring-message" + (kind ? " " + kind : "");
    node.hidden = !text;
  }

  // ------------------------------------------------------------------ storage

  function recordsOfUser(all) {
    return all.filter(function (r) { return r && r.owner === cfg.user; });
  }

  function loadAll() {
    return kv.entries(store).then(function (entries) {
      var pkg = null;
      var records = [];
      entries.forEach(function (pair) {
        var key = pair[0];
        if (key === "package") pkg = pair[1];
        else if (key === "device") state.device = pair[1];
        else if (key === "last_sync") state.lastSync = pair[1];
        else if (typeof key === "string" && key.indexOf(REC) === 0) records.push(pair[1]);
      });
      // A package taken by someone else on this phone is not shown (nor kept).
      state.pkg = pkg && pkg.owner === cfg.user ? pkg : null;
      state.records = recordsOfUser(records);
      var jobs = [];
      if (pkg && !state.pkg) jobs.push(kv.del("package", store));
      if (!state.device) {
        state.device = uuid4();
        jobs.push(kv.set("device", state.device, store));
      }
      return Promise.all(jobs);
    }).then(enforceExpiry);
  }

  function saveRecord(record) {
    return kv.set(REC + record.uuid, record, store).then(function () {
      var i = indexOfRecord(record.uuid);
      if (i === -1) state.records.push(record); else state.records[i] = record;
    });
  }

  function indexOfRecord(id) {
    for (var i = 0; i < state.records.length; i++) if (state.records[i].uuid === id) return i;
    return -1;
  }

  function findRecord(id) {
    var i = indexOfRecord(id);
    return i === -1 ? null : state.records[i];
  }

  // The package expires at expires_at unless a sync succeeded (each successful sync takes a
  // fresh package, with a new expires_at). Expired: the list of children and the records
  // already sent are deleted; what still has to be sent is kept, so no visit is lost.
  function enforceExpiry() {
    if (!state.pkg || !state.pkg.data) return Promise.resolve();
    var expires = Date.parse(state.pkg.data.expires_at);
    if (!isNaN(expires) && expires > Date.now()) return Promise.resolve();
    var sent = state.records.filter(isFinal);
    state.pkg = null;
    state.records = state.records.filter(function (r) { return !isFinal(r); });
    message(T.expired, "warning");
    return Promise.all([kv.del("package", store)].concat(sent.map(function (r) { return kv.del(REC + r.uuid, store); })));
  }

  // ------------------------------------------------------------------ status line and counts

  function counts() {
    var c = { waiting: 0, sent: 0, attention: 0, discarded: 0 };
    state.records.forEach(function (r) { c[shownState(r)] += 1; });
    return c;
  }

  function shownState(r) {
    return r.state === "attention" || r.state === "sent" || r.state === "discarded" ? r.state : "waiting";
  }

  function isFinal(r) { return r.state === "sent" || r.state === "discarded"; }

  function drawStatus() {
    var c = counts();
    var parts = [navigator.onLine ? T.online : T.offline];
    if (state.syncing) parts.push(T.sending);
    if (state.lastSync) parts.push(fmt(T.last_sync, { when: showDateTime(state.lastSync) }));
    if (state.problem) parts.push(state.problem);
    var status = $("luring-status");
    status.textContent = parts.join(" · ");
    status.className = "luring-status " + (navigator.onLine ? "is-online" : "is-offline");
    $("luring-counts").textContent = fmt(T.counts, c);
    try {
      window.localStorage.setItem(WAITING_KEY, String(c.waiting + c.attention));
    } catch (e) { /* storage off: logout.js then does not warn */ }
  }

  // ------------------------------------------------------------------ the package

  function packageQuery() {
    var fixed = cfg.scope.fixed;
    if (fixed) return "";
    var posyandu = $("luring-package-posyandu").value;
    var desa = $("luring-package-desa").value;
    if (posyandu) return "?posyandu=" + encodeURIComponent(posyandu);
    if (desa) return "?desa=" + encodeURIComponent(desa);
    return null;
  }

  function drawPackage() {
    var info = $("luring-package-info");
    var pkg = state.pkg && state.pkg.data;
    if (pkg) {
      info.textContent = fmt(T.package_info, {
        name: pkg.scope.name,
        count: pkg.children.length,
        when: showDateTime(pkg.generated_at),
        expires: showDateTime(pkg.expires_at),
      });
    } else {
      info.textContent = T.no_package;
    }
    var choice = $("luring-package-choice");
    choice.hidden = !!cfg.scope.fixed;
    var searchable = !!pkg || state.records.some(function (r) { return r.kind === "child"; });
    $("luring-q").disabled = !searchable;
    $("luring-search-help").textContent = cfg.nik_search ? T.search_help_nik : T.search_help;
    $("luring-register-line").hidden = !(cfg.can_register && (pkg || cfg.scope.fixed));
  }

  function fillScopeChoices() {
    if (cfg.scope.fixed) return;
    var desa = $("luring-package-desa");
    clear(desa);
    desa.appendChild(el("option", { value: "", text: T.choose_desa }));
    cfg.scope.desa.forEach(function (d) { desa.appendChild(el("option", { value: d.id, text: d.name })); });
    var chosen = state.pkg && state.pkg.query;
    if (chosen) {
      var m = /^\?(desa|posyandu)=(.*)$/.exec(chosen);
      if (m && m[1] === "desa") desa.value = decodeURIComponent(m[2]);
      if (m && m[1] === "posyandu") {
        var p = cfg.scope.posyandu.filter(function (x) { return String(x.id) === decodeURIComponent(m[2]); })[0];
        if (p) desa.value = p.desa_id;
      }
    }
    fillPosyanduChoices();
    if (chosen && chosen.indexOf("?posyandu=") === 0) $("luring-package-posyandu").value = decodeURIComponent(chosen.slice(10));
  }

  function fillPosyanduChoices() {
    var desa = $("luring-package-desa").value;
    var select = $("luring-package-posyandu");
    clear(select);
    select.appendChild(el("option", { value: "", text: T.whole_desa }));
    cfg.scope.posyandu.filter(function (p) { return p.desa_id === desa; }).forEach(function (p) {
      select.appendChild(el("option", { value: p.id, text: p.name }));
    });
  }

  function fetchJSON(url, options) {
    var opts = options || {};
    opts.credentials = "same-origin";
    opts.cache = "no-store";
    opts.headers = opts.headers || {};
    opts.headers.Accept = "application/json";
    return fetch(url, opts).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("json") === -1) return { status: response.status, ok: false, body: null, redirected: response.redirected };
      return response.json().then(function (body) { return { status: response.status, ok: response.ok, body: body }; });
    });
  }

  function refreshPackage(query, quiet) {
    if (query === null) {
      message(T.choose_desa_first, "warning");
      return Promise.resolve(false);
    }
    if (!navigator.onLine) {
      if (!quiet) message(T.package_needs_signal, "warning");
      return Promise.resolve(false);
    }
    return fetchJSON(cfg.urls.package + query).then(function (res) {
      if (!res.ok || !res.body || !res.body.children) {
        if (!quiet) message(res.status === 401 || (res.status === 403 && !res.body) ? T.login_again : (res.body && res.body.error) || T.package_failed, "error");
        return false;
      }
      state.pkg = { owner: cfg.user, query: query, fetched_at: new Date().toISOString(), data: res.body };
      return kv.set("package", state.pkg, store).then(function () {
        if (!quiet) message(fmt(T.package_saved, { count: res.body.children.length, name: res.body.scope.name }), "ok");
        drawPackage();
        search();
        return true;
      });
    }).catch(function () {
      if (!quiet) message(T.package_failed, "error");
      return false;
    });
  }

  // ------------------------------------------------------------------ children: search and choose

  // The children the phone knows: the package's, then those registered on this phone (until the
  // package, refreshed after they were sent, holds them).
  function knownChildren() {
    var pkg = state.pkg && state.pkg.data;
    var out = [];
    var ids = {};
    var registered = {}; // tumbuh_id → the uuid of the child record made on this phone
    state.records.forEach(function (r) { if (r.kind === "child" && r.tumbuh_id) registered[r.tumbuh_id] = r.uuid; });
    if (pkg) {
      pkg.children.forEach(function (c) {
        ids[c.tumbuh_id] = true;
        out.push({ source: "package", key: c.tumbuh_id, uuid: registered[c.tumbuh_id] || null, tumbuh_id: c.tumbuh_id, name: c.name, sex: c.sex, birth_date: c.birth_date,
          parent_name: c.parent_name || "", nik_hash: c.nik_hash, parent_nik_hash: c.parent_nik_hash,
          desa_id: c.desa_id, posyandu_id: c.posyandu_id, visits: c.visits || [] });
      });
    }
    state.records.forEach(function (r) {
      if (r.kind !== "child" || r.state === "discarded" || (r.tumbuh_id && ids[r.tumbuh_id])) return;
      if (r.conflict && r.state === "attention") return; // not usable until the conflict is settled
      var d = r.data;
      out.push({ source: "phone", key: r.uuid, uuid: r.uuid, tumbuh_id: r.tumbuh_id || null, name: d.name, sex: +d.sex,
        birth_date: d.birth_date, parent_name: d.parent_name || "", nik: d.nik || "", parent_nik: d.parent_nik || "",
        desa_id: d.desa_id, posyandu_id: d.posyandu_id, visits: [] });
    });
    return out;
  }

  function search() {
    var q = $("luring-q").value;
    var list = $("luring-results");
    var digits = digitsOnly(q);
    var byNik = /^[\d\s.]+$/.test(q.trim()) && digits.length > 0;
    var children = knownChildren();
    var found;
    if (byNik) {
      if (!cfg.nik_search || digits.length !== 16) {
        clear(list);
        if (q.trim()) list.appendChild(el("li", { className: "muted", text: cfg.nik_search ? T.nik_16 : T.no_nik_search }));
        return Promise.resolve();
      }
      var salt = state.pkg && state.pkg.data && state.pkg.data.salt;
      var hashed = salt ? nikHash(salt, digits) : Promise.resolve(null);
      return hashed.then(function (h) {
        found = children.filter(function (c) {
          return nikMatchesChild(c, digits, h) || nikMatchesParent(c, h) || (c.source === "phone" && (c.nik === digits || c.parent_nik === digits));
        });
        drawResults(found, q);
      });
    }
    var term = normalise(q);
    if (term.length < 2) {
      clear(list);
      return Promise.resolve();
    }
    found = children.filter(function (c) {
      return normalise(c.name).indexOf(term) !== -1 || normalise(c.parent_name).indexOf(term) !== -1 || (c.tumbuh_id && c.tumbuh_id.toLowerCase() === term);
    });
    found.sort(function (a, b) { return a.name.localeCompare(b.name) || String(a.birth_date).localeCompare(String(b.birth_date)); });
    drawResults(found.slice(0, 8), q);
    return Promise.resolve();
  }

  function latestVisit(child) {
    var visits = visitsOf(child, null);
    return visits.length ? visits[visits.length - 1] : null;
  }

  function drawResults(found, q) {
    var list = $("luring-results");
    clear(list);
    if (!found.length) {
      list.appendChild(el("li", { className: "muted", text: fmt(T.no_child_found, { q: q }) }));
      return;
    }
    found.forEach(function (c) {
      var last = latestVisit(c);
      var meta = [c.sex === 1 ? T.boy : T.girl, fmt(T.born, { date: showDate(c.birth_date) })];
      if (c.parent_name) meta.push(c.parent_name);
      if (c.source === "phone") meta.push(T.registered_here);
      if (last) meta.push(fmt(T.last_visit, { date: showDate(last.date) }));
      var link = el("a", { href: "#", "data-testid": "luring-result", "data-child": c.key }, [
        el("strong", { text: c.name }),
        el("span", { className: "meta", text: meta.join(" · ") }),
      ]);
      link.addEventListener("click", function (event) {
        event.preventDefault();
        openVisit(c, null);
      });
      list.appendChild(el("li", {}, [link]));
    });
  }

  // ------------------------------------------------------------------ sections

  function show(section) {
    ["luring-find", "luring-package", "luring-child", "luring-visit"].forEach(function (id) {
      var visible = section === "find" ? id === "luring-find" || id === "luring-package" : id === "luring-" + section;
      $(id).hidden = !visible;
    });
  }

  function backToSearch() {
    state.child = null;
    state.editing = null;
    show("find");
    $("luring-q").focus();
  }

  // ------------------------------------------------------------------ register a child

  function fillChildPlaces(desaId, posyanduId) {
    var pkg = state.pkg && state.pkg.data;
    var desaList = pkg && pkg.desa && pkg.desa.length ? pkg.desa : cfg.scope.desa;
    var posyanduList = pkg && pkg.posyandu ? pkg.posyandu : cfg.scope.posyandu;
    var desa = $("luring-child-desa");
    clear(desa);
    desaList.forEach(function (d) { desa.appendChild(el("option", { value: d.id, text: d.name })); });
    var wanted = desaId || (pkg && pkg.scope.kind === "desa" ? pkg.scope.id : null) || (cfg.scope.fixed && cfg.scope.fixed.id);
    if (!wanted && pkg && pkg.scope.kind === "posyandu") {
      var p = posyanduList.filter(function (x) { return x.id === pkg.scope.id; })[0];
      if (p) wanted = p.desa_id;
    }
    if (wanted) desa.value = wanted;
    var fill = function () {
      var select = $("luring-child-posyandu");
      clear(select);
      select.appendChild(el("option", { value: "", text: "—" }));
      posyanduList.filter(function (p) { return p.desa_id === desa.value; }).forEach(function (p) {
        select.appendChild(el("option", { value: p.id, text: p.name }));
      });
      if (posyanduId) select.value = posyanduId;
      else if (pkg && pkg.scope.kind === "posyandu") select.value = pkg.scope.id;
    };
    desa.onchange = function () { posyanduId = null; fill(); };
    fill();
  }

  function openChildForm(record) {
    state.editing = record ? record.uuid : null;
    var form = $("luring-child-form");
    form.reset();
    clear($("luring-child-problems"));
    var d = record ? record.data : {};
    form.elements.name.value = d.name || (record ? "" : $("luring-q").value.replace(/[\d.]/g, "").trim());
    if (d.sex) form.querySelector("input[name=sex][value='" + d.sex + "']").checked = true;
    form.elements.birth_date.value = d.birth_date || "";
    form.elements.birth_date.max = todayISO();
    form.elements.parent_name.value = d.parent_name || "";
    form.elements.nik.value = d.nik || "";
    form.elements.parent_nik.value = d.parent_nik || "";
    form.elements.rt.value = d.rt || "";
    form.elements.rw.value = d.rw || "";
    form.elements.address.value = d.address || "";
    fillChildPlaces(d.desa_id, d.posyandu_id);
    show("child");
    form.elements.name.focus();
  }

  function nikProblem(nik) {
    if (!nik) return null;
    if (nik.length !== 16) return T.nik_length;
    if (/^0+$/.test(nik) || nik.slice(6) === "0000000000") return T.nik_placeholder;
    var day = parseInt(nik.slice(6, 8), 10);
    var month = parseInt(nik.slice(8, 10), 10);
    if (day > 40) day -= 40;
    if (!(day >= 1 && day <= 31 && month >= 1 && month <= 12)) return T.nik_birth_date;
    return null;
  }

  function saveChild(event) {
    event.preventDefault();
    var form = $("luring-child-form");
    var data = {
      name: form.elements.name.value.trim(),
      sex: (form.querySelector("input[name=sex]:checked") || {}).value || "",
      birth_date: form.elements.birth_date.value,
      parent_name: form.elements.parent_name.value.trim(),
      nik: digitsOnly(form.elements.nik.value),
      parent_nik: digitsOnly(form.elements.parent_nik.value),
      desa_id: form.elements.desa_id.value,
      posyandu_id: form.elements.posyandu_id.value ? +form.elements.posyandu_id.value : null,
      rt: form.elements.rt.value.trim(),
      rw: form.elements.rw.value.trim(),
      address: form.elements.address.value.trim(),
    };
    var problems = [];
    if (!data.name) problems.push(T.name_required);
    if (!data.sex) problems.push(T.sex_required);
    if (!data.birth_date) problems.push(T.birth_required);
    else if (data.birth_date > todayISO()) problems.push(T.birth_future);
    if (!data.desa_id) problems.push(T.desa_required);
    var nikP = nikProblem(data.nik);
    if (nikP) problems.push(T.nik_label + ": " + nikP);
    var parentP = data.parent_nik && data.parent_nik === data.nik ? T.parent_nik_same : nikProblem(data.parent_nik);
    if (parentP) problems.push(T.parent_nik_label + ": " + parentP);
    data.sex = data.sex ? +data.sex : "";
    var duplicate = Promise.resolve(false);
    if (data.nik && !nikP) {
      var salt = state.pkg && state.pkg.data && state.pkg.data.salt;
      duplicate = (salt ? nikHash(salt, data.nik) : Promise.resolve(null)).then(function (h) {
        return knownChildren().some(function (c) {
          if (c.source === "phone") return c.key !== state.editing && c.nik === data.nik;
          return nikMatchesChild(c, data.nik, h);
        });
      });
    }
    return duplicate.then(function (dup) {
      if (dup) problems.push(T.nik_registered);
      var list = $("luring-child-problems");
      clear(list);
      problems.forEach(function (p) { list.appendChild(el("li", { className: "error", text: p })); });
      if (problems.length) return;
      var record = state.editing ? findRecord(state.editing) : null;
      if (record) {
        record.data = data;
        record.revision += 1;
        resetState(record);
      } else {
        record = newRecord("child", data);
      }
      return saveRecord(record).then(function () {
        drawRecords();
        var child = knownChildren().filter(function (c) { return c.key === record.uuid; })[0];
        message(fmt(T.child_saved, { name: data.name }), "ok");
        kick();
        if (child && !state.editing) openVisit(child, null); else backToSearch();
      });
    });
  }

  function newRecord(kind, data) {
    return { uuid: uuid4(), revision: 1, kind: kind, created_at: new Date().toISOString(), owner: cfg.user,
      data: data, phone: null, state: "waiting", reason: "", conflict: null, tumbuh_id: null, server: null };
  }

  function resetState(record) {
    record.state = "waiting";
    record.reason = "";
    record.conflict = null;
  }

  // ------------------------------------------------------------------ enter a visit

  function childOf(record) {
    var d = record.data;
    var key = d.child_uuid || d.child;
    var found = knownChildren().filter(function (c) { return c.key === key || (d.child && c.tumbuh_id === d.child); })[0];
    if (found) return found;
    return { source: d.child_uuid ? "phone" : "package", key: key, uuid: d.child_uuid, tumbuh_id: d.child || null,
      name: record.child_name || "?", sex: record.child_sex, birth_date: record.child_birth_date, parent_name: "", visits: [] };
  }

  // The child's visits known to the phone (the package's last three and those entered here),
  // by date; the one being fixed left out.
  function visitsOf(child, skipUuid) {
    var out = (child.visits || []).map(function (v) { return v; });
    state.records.forEach(function (r) {
      if (r.kind !== "visit" || r.uuid === skipUuid) return;
      if ((child.uuid && r.data.child_uuid === child.uuid) || (child.tumbuh_id && r.data.child === child.tumbuh_id)) {
        out = out.filter(function (v) { return v.date !== r.data.date; });
        out.push(r.data);
      }
    });
    out.sort(function (a, b) { return String(a.date).localeCompare(String(b.date)); });
    return out;
  }

  function defaultPosition(child, date) {
    return ageDays(child.birth_date, date) < 731 ? "l" : "h";
  }

  function openVisit(child, record) {
    state.child = child;
    state.editing = record ? record.uuid : null;
    var form = $("luring-visit-form");
    form.reset();
    $("luring-visit-child").textContent = child.name;
    var meta = [child.sex === 1 ? T.boy : T.girl, fmt(T.born, { date: showDate(child.birth_date) })];
    if (child.parent_name) meta.push(child.parent_name);
    $("luring-visit-child-meta").textContent = meta.join(" · ");
    var d = record ? record.data : {};
    var date = d.date || todayISO();
    form.elements.date.value = date;
    form.elements.date.max = todayISO();
    form.elements.weight.value = d.weight !== undefined && d.weight !== null ? formatMeasure(d.weight) : "";
    form.elements.lenhei.value = d.lenhei !== undefined && d.lenhei !== null ? formatMeasure(d.lenhei) : "";
    form.elements.muac.value = d.muac !== undefined && d.muac !== null ? formatMeasure(d.muac) : "";
    form.elements.headc.value = d.headc !== undefined && d.headc !== null ? formatMeasure(d.headc) : "";
    form.elements.oedema.checked = !!d.oedema;
    var position = d.position || defaultPosition(child, date);
    form.querySelector("input[name=position][value='" + position + "']").checked = true;
    show("visit");
    assessVisit();
    form.elements.weight.focus();
  }

  function readVisit() {
    var form = $("luring-visit-form");
    return {
      date: form.elements.date.value,
      weight: parseDecimal(form.elements.weight.value),
      lenhei: parseDecimal(form.elements.lenhei.value),
      position: (form.querySelector("input[name=position]:checked") || {}).value || "",
      muac: parseDecimal(form.elements.muac.value),
      headc: parseDecimal(form.elements.headc.value),
      oedema: form.elements.oedema.checked,
    };
  }

  // What growth.js and checks.js take: the child's sex and birth date with the visit.
  function engineVisit(child, data) {
    return { sex: child.sex, birth_date: child.birth_date, date: data.date,
      weight: data.weight, lenhei: data.lenhei, position: String(data.position || "").toUpperCase(),
      oedema: !!data.oedema, muac: data.muac, headc: data.headc };
  }

  function previousVisit(child, date) {
    var earlier = visitsOf(child, state.editing).filter(function (v) { return v.date < date; });
    if (!earlier.length) return null;
    var last = earlier[earlier.length - 1];
    return engineVisit(child, { date: last.date, weight: numberOrNull(last.weight), lenhei: numberOrNull(last.lenhei),
      position: last.position || "", oedema: !!last.oedema, muac: numberOrNull(last.muac), headc: numberOrNull(last.headc) });
  }

  function numberOrNull(x) {
    return x === null || x === undefined || x === "" ? null : Number(x);
  }

  var STATUS_BAD = ["sangat_pendek", "gizi_buruk", "bb_sangat_kurang", "obesitas", "implausible"];
  var STATUS_WARN = ["pendek", "gizi_kurang", "bb_kurang", "gizi_lebih", "berisiko_gizi_lebih", "risiko_bb_lebih"];

  function statusClass(code) {
    if (!code) return "";
    if (window.TumbuhChecks && window.TumbuhChecks.statusClass) return window.TumbuhChecks.statusClass(code);
    if (STATUS_BAD.indexOf(code) !== -1) return "status-bad";
    if (STATUS_WARN.indexOf(code) !== -1) return "status-warn";
    return "status-ok";
  }

  function statusWords(field, code) {
    if (!code) return "—";
    if (window.TumbuhChecks && window.TumbuhChecks.statusWords) return window.TumbuhChecks.statusWords(field, code) || code;
    return code;
  }

  function drawScores(a) {
    [["tbu", "zlen"], ["bbtb", "zwfl"], ["bbu", "zwei"]].forEach(function (pair) {
      var z = a ? a[pair[1]] : null;
      var code = a ? a["status_" + pair[0]] : null;
      $("luring-z-" + pair[0]).textContent = z === null || z === undefined ? "—" : formatZ(z);
      var cell = $("luring-status-" + pair[0]);
      cell.textContent = statusWords(pair[0], code);
      cell.className = statusClass(code);
    });
  }

  // The online flow, on the phone: the form's own refusals first (MeasurementForm: a number
  // that is not one, out of the field's range, nothing measured), then what the confirm step
  // lists (TumbuhChecks.checkVisit: the same words and numbers as check_measurement), with the
  // status computed by the growth engine.
  function assessVisit() {
    var child = state.child;
    if (!child) return null;
    var form = $("luring-visit-form");
    var data = readVisit();
    var typed = { birth_date: child.birth_date, date: data.date, position: data.position, oedema: data.oedema,
      weight: form.elements.weight.value.trim(), lenhei: form.elements.lenhei.value.trim(),
      muac: form.elements.muac.value.trim(), headc: form.elements.headc.value.trim() };
    var checks = window.TumbuhChecks;
    var errors = checks ? checks.checkForm(typed, todayISO()) : [];
    var warnings = [];
    var assessed = null;
    var tables = window.TumbuhGrowth && window.TumbuhGrowth.tablesLoaded && window.TumbuhGrowth.tablesLoaded();
    if (!errors.length && tables) {
      var v = engineVisit(child, data);
      assessed = window.TumbuhGrowth.assess(v);
      var problems = checks ? checks.checkVisit(v, previousVisit(child, data.date), todayISO(), assessed) : [];
      problems.forEach(function (p) { (p.level === "error" ? errors : warnings).push(p); });
    } else if (!tables && !errors.length) {
      errors.push({ field: "", message: T.no_tables, level: "error" });
    }
    drawScores(assessed);
    var list = $("luring-visit-problems");
    clear(list);
    errors.forEach(function (p) { list.appendChild(el("li", { className: "error", text: fieldPrefix(p) + p.message })); });
    warnings.forEach(function (p) { list.appendChild(el("li", { className: "warning", text: T.check_prefix + " " + p.message })); });
    var save = $("luring-visit-save");
    save.disabled = errors.length > 0;
    save.textContent = warnings.length ? T.save_anyway : T.save;
    return { data: data, assessed: assessed, errors: errors, warnings: warnings };
  }

  // A form error is shown next to its field online; here, in the list, after the field's name.
  function fieldPrefix(p) {
    var label = p.field && p.field !== "__all__" && p.code !== undefined && T["label_" + p.field];
    return label && /^(invalid|required|max_value|min_value|max_digits|max_decimal_places|max_whole_digits|visit_date_future|visit_date_before_birth)$/.test(p.code) ? label + ": " : "";
  }

  function saveVisit(event) {
    event.preventDefault();
    var result = assessVisit();
    if (!result || result.errors.length) return;
    var child = state.child;
    var data = result.data;
    var wire = { date: data.date, weight: data.weight, lenhei: data.lenhei, position: data.position,
      oedema: data.oedema, muac: data.muac, headc: data.headc };
    if (child.source === "phone") wire.child_uuid = child.uuid; else wire.child = child.tumbuh_id;
    // The same child and date entered again before it was sent: that record is changed (a new
    // revision), not doubled.
    var record = state.editing ? findRecord(state.editing) : null;
    if (!record) {
      record = state.records.filter(function (r) {
        return r.kind === "visit" && !isFinal(r) && r.data.date === data.date &&
          ((wire.child_uuid && r.data.child_uuid === wire.child_uuid) || (wire.child && r.data.child === wire.child));
      })[0] || null;
    }
    if (record) {
      record.revision += 1;
      record.data = wire;
      resetState(record);
    } else {
      record = newRecord("visit", wire);
    }
    record.phone = result.assessed;
    record.child_name = child.name;
    record.child_sex = child.sex;
    record.child_birth_date = child.birth_date;
    return saveRecord(record).then(function () {
      message(fmt(T.visit_saved, { name: child.name, date: showDate(data.date) }), "ok");
      drawRecords();
      backToSearch();
      $("luring-q").value = "";
      clear($("luring-results"));
      kick();
    });
  }

  // ------------------------------------------------------------------ the records list

  var STATE_ORDER = { attention: 0, waiting: 1, sent: 2, discarded: 3 };

  function recordTitle(r) {
    if (r.kind === "child") return fmt(T.record_child, { name: r.data.name, date: showDate(r.data.birth_date) });
    return fmt(T.record_visit, { name: r.child_name || "?", date: showDate(r.data.date) });
  }

  function recordValues(r) {
    if (r.kind !== "visit") return "";
    var parts = [];
    if (r.data.weight !== null && r.data.weight !== undefined) parts.push(formatMeasure(r.data.weight) + " kg");
    if (r.data.lenhei !== null && r.data.lenhei !== undefined) parts.push(formatMeasure(r.data.lenhei) + " cm");
    var a = (r.state === "sent" && r.server) || r.phone;
    if (a && a.status_tbu) parts.push("TB/U " + statusWords("tbu", a.status_tbu));
    if (a && a.status_bbtb) parts.push("BB/TB " + statusWords("bbtb", a.status_bbtb));
    return parts.join(" · ");
  }

  //: What a conflict's server side shows (ids and the like are left out).
  var HIDDEN = ["desa_id", "posyandu_id", "source", "age_days"];

  function serverValue(key, value) {
    if (value === null || value === undefined || value === "") return "—";
    if (key === "sex") return +value === 1 ? T.boy : T.girl;
    if (key === "position") return String(value).toLowerCase() === "l" ? T.lying : T.standing;
    if (typeof value === "boolean") return value ? T.yes : T.no;
    if (typeof value === "number") return /^z/.test(key) ? formatZ(value) : formatMeasure(value);
    if (/date/.test(key)) return showDate(value);
    if (/^status_/.test(key)) return statusWords(key.slice(7), value);
    return String(value);
  }

  function drawConflict(r, item) {
    var c = r.conflict;
    var server = c.server || {};
    var keys = Object.keys(server).filter(function (key) { return HIDDEN.indexOf(key) === -1; });
    if (keys.length) {
      var dl = el("dl", { className: "luring-server", "data-testid": "conflict-server" });
      keys.forEach(function (key) {
        dl.appendChild(el("dt", { text: T["field_" + key] || key }));
        dl.appendChild(el("dd", { text: serverValue(key, server[key]) }));
      });
      item.appendChild(el("p", { className: "muted", text: T.on_the_server }));
      item.appendChild(dl);
    }
    var reasonId = "luring-reason-" + r.uuid;
    item.appendChild(el("label", { for: reasonId, text: T.choice_reason }));
    var reason = el("input", { type: "text", id: reasonId, "data-testid": "choice-reason", autocomplete: "off" });
    item.appendChild(reason);
    var buttons = el("div", { className: "actions" });
    (c.choices || []).forEach(function (choice) {
      var b = el("button", { type: "button", className: "button secondary", "data-choice": choice, "data-testid": "choice-" + choice,
        text: T["choice_" + choice] || choice });
      b.addEventListener("click", function () {
        if (!reason.value.trim()) {
          message(T.choice_reason_required, "warning");
          reason.focus();
          return;
        }
        choose(r.uuid, choice, reason.value.trim());
      });
      buttons.appendChild(b);
    });
    item.appendChild(buttons);
  }

  function drawRecords() {
    var list = $("luring-record-list");
    clear(list);
    var records = state.records.slice().sort(function (a, b) {
      return (STATE_ORDER[shownState(a)] - STATE_ORDER[shownState(b)]) || String(b.created_at).localeCompare(String(a.created_at));
    });
    var finalShown = 0;
    records.forEach(function (r) {
      var st = shownState(r);
      if (isFinal(r) && ++finalShown > 30) return;
      var item = el("li", { className: "luring-record state-" + st, "data-testid": "record", "data-state": st, "data-kind": r.kind, "data-uuid": r.uuid });
      item.appendChild(el("span", { className: "badge state-" + st, "data-testid": "record-state", text: T["state_" + st] }));
      item.appendChild(el("strong", { text: recordTitle(r) }));
      var values = recordValues(r);
      if (values) item.appendChild(el("span", { className: "meta", text: values }));
      if (r.reason && st !== "sent") item.appendChild(el("p", { className: "reason", "data-testid": "record-reason", text: r.reason }));
      if (st === "attention") {
        if (r.conflict) drawConflict(r, item);
        else {
          var fix = el("button", { type: "button", className: "button secondary", "data-testid": "record-fix", text: T.fix });
          fix.addEventListener("click", function () { fixRecord(r.uuid); });
          item.appendChild(el("div", { className: "actions" }, [fix]));
        }
      }
      if (st === "sent" && r.tumbuh_id && navigator.onLine) {
        item.appendChild(el("a", { href: cfg.urls.child.replace("TUMBUH_ID", encodeURIComponent(r.tumbuh_id)), text: T.open_child }));
      }
      list.appendChild(item);
    });
    if (!records.length) list.appendChild(el("li", { className: "muted", text: T.no_records }));
    drawStatus();
  }

  function fixRecord(id) {
    var r = findRecord(id);
    if (!r) return;
    if (r.kind === "child") openChildForm(r);
    else openVisit(childOf(r), r);
  }

  // ------------------------------------------------------------------ sync

  function wire(r) {
    var out = { uuid: r.uuid, revision: r.revision, kind: r.kind, created_at: r.created_at, data: r.data };
    if (r.kind === "visit") out.phone = r.phone;
    return out;
  }

  function applyResult(res) {
    var r = findRecord(res.uuid);
    if (!r || r.revision !== res.revision) return Promise.resolve(false); // changed on the phone meanwhile
    // sent and discarded (not used, by a choice) are final; retry (its child has not arrived
    // yet) is sent again; attention, invalid and anything unknown wait for the cadre.
    r.state = { sent: "sent", discarded: "discarded", retry: "waiting" }[res.state] || "attention";
    r.reason = res.reason || "";
    r.conflict = res.conflict || null;
    if (res.tumbuh_id) r.tumbuh_id = res.tumbuh_id;
    r.server = res.server || null;
    if (r.state === "sent") {
      r.sent_at = new Date().toISOString();
      if (r.kind === "child") {
        // Sent: the NIKs are not needed on the phone any more.
        r.data.nik = "";
        r.data.parent_nik = "";
      }
    }
    return saveRecord(r).then(function () { return res.state !== "retry"; });
  }

  function loginProblem(status) {
    state.problem = status === 401 ? T.login_again : T.not_allowed;
    drawStatus();
  }

  function ensureSession() {
    return fetchJSON(cfg.urls.session).then(function (res) {
      if (!res.ok || !res.body) {
        loginProblem(res.status === 401 || res.redirected ? 401 : res.status);
        return false;
      }
      if (res.body.user !== cfg.user) {
        // Someone else is logged in now: this user's records wait for their own login.
        state.problem = T.other_user;
        drawStatus();
        return false;
      }
      state.csrf = res.body.csrf;
      return true;
    });
  }

  function sendRound() {
    var pending = state.records.filter(function (r) { return r.state === "waiting"; });
    if (!pending.length) return Promise.resolve("done");
    pending.sort(function (a, b) {
      return (a.kind === "child" ? 0 : 1) - (b.kind === "child" ? 0 : 1) || String(a.created_at).localeCompare(String(b.created_at));
    });
    var batch = pending.slice(0, BATCH);
    return fetchJSON(cfg.urls.sync, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": state.csrf },
      body: JSON.stringify({ device: state.device, records: batch.map(wire) }),
    }).then(function (res) {
      if (res.status === 401 || res.status === 403) {
        loginProblem(res.status);
        return "stop";
      }
      if (!res.ok || !res.body || !res.body.results) {
        state.problem = T.sync_failed;
        return "stop";
      }
      return res.body.results.reduce(function (chain, result) {
        return chain.then(function (progress) {
          return applyResult(result).then(function (moved) { return progress || moved; });
        });
      }, Promise.resolve(false)).then(function (progress) {
        return progress ? "more" : "done"; // only "retry" answers: their children are not there yet
      });
    });
  }

  function runSync() {
    if (!navigator.onLine) return Promise.resolve();
    state.problem = "";
    return ensureSession().then(function (ok) {
      if (!ok) return;
      var rounds = 0;
      var loop = function () {
        return sendRound().then(function (outcome) {
          drawRecords();
          if (outcome === "more" && ++rounds < 20) return loop();
          return outcome;
        });
      };
      return loop().then(function (outcome) {
        if (outcome === "stop") return;
        state.lastSync = new Date().toISOString();
        // A successful sync takes a fresh package: the children just registered, the visits
        // just sent, a new expiry.
        var jobs = [kv.set("last_sync", state.lastSync, store)];
        if (state.pkg) jobs.push(refreshPackage(state.pkg.query, true));
        else if (cfg.scope.fixed) jobs.push(refreshPackage("", true));
        return Promise.all(jobs);
      });
    }).catch(function () {
      state.problem = T.sync_failed; // the network went away halfway: the next sync resumes
    });
  }

  // One sync at a time, in this page and (where the browser has Web Locks) across its tabs.
  function sync() {
    if (state.syncing) return state.syncing;
    var run = function () { return runSync(); };
    var p = navigator.locks && navigator.locks.request ? navigator.locks.request("tumbuh-luring-sync", run) : run();
    state.syncing = p.then(function () {
      state.syncing = null;
      drawPackage();
      drawRecords();
    }, function () {
      state.syncing = null;
      drawRecords();
    });
    drawStatus();
    return state.syncing;
  }

  function kick() {
    if (navigator.onLine) sync();
  }

  function choose(id, choice, reason) {
    if (!navigator.onLine) {
      message(T.choice_needs_signal, "warning");
      return Promise.resolve();
    }
    return ensureSession().then(function (ok) {
      if (!ok) return;
      return fetchJSON(cfg.urls.choose, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": state.csrf },
        body: JSON.stringify({ uuid: id, choice: choice, reason: reason || "" }),
      }).then(function (res) {
        if (!res.ok || !res.body) {
          message((res.body && res.body.error) || T.choice_failed, "error");
          return;
        }
        var result = res.body.results ? res.body.results[0] : res.body;
        var r = findRecord(id);
        if (r && result && result.revision !== undefined) r.revision = result.revision;
        return applyResult(result).then(function () {
          message(T.choice_done, "ok");
          drawRecords();
          if (state.pkg) return refreshPackage(state.pkg.query, true);
        });
      });
    }).catch(function () { message(T.choice_failed, "error"); });
  }

  // ------------------------------------------------------------------ start

  function loadTables() {
    if (!window.TumbuhGrowth || !cfg.urls.tables) return Promise.resolve();
    return fetch(cfg.urls.tables, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (tables) {
      window.TumbuhGrowth.setTables(tables);
      if (state.child) assessVisit();
    }).catch(function () {
      message(T.no_tables, "warning");
    });
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator) || !cfg.urls.sw) return;
    navigator.serviceWorker.register(cfg.urls.sw, { scope: cfg.sw_scope }).catch(function () { /* an old browser: online only */ });
  }

  function bind() {
    $("luring-package-desa").addEventListener("change", fillPosyanduChoices);
    $("luring-package-form").addEventListener("submit", function (event) {
      event.preventDefault();
      refreshPackage(packageQuery(), false);
    });
    $("luring-q").addEventListener("input", search);
    $("luring-register").addEventListener("click", function () { openChildForm(null); });
    $("luring-child-form").addEventListener("submit", saveChild);
    $("luring-visit-form").addEventListener("submit", saveVisit);
    $("luring-visit-form").addEventListener("input", assessVisit);
    $("luring-visit-form").addEventListener("change", assessVisit);
    Array.prototype.forEach.call(document.querySelectorAll("[data-luring-cancel]"), function (b) {
      b.addEventListener("click", backToSearch);
    });
    $("luring-sync").addEventListener("click", function () {
      if (!navigator.onLine) message(T.offline_waiting, "warning");
      sync();
    });
    window.addEventListener("online", function () { drawStatus(); drawRecords(); sync(); });
    window.addEventListener("offline", drawStatus);
  }

  function start() {
    if (window.TumbuhChecks && window.TumbuhChecks.setMessages) window.TumbuhChecks.setMessages(phoneTexts);
    bind();
    fillScopeChoices();
    show("find");
    registerWorker();
    return Promise.all([loadAll(), loadTables()]).then(function () {
      drawPackage();
      drawRecords();
      if (!navigator.onLine) return;
      // On opening: send what waits, then take the package (a desa operator's own desa).
      return sync().then(function () {
        if (!state.pkg && cfg.scope.fixed) return refreshPackage("", true).then(drawPackage);
      });
    }).then(function () {
      document.documentElement.setAttribute("data-luring-ready", "1");
    }, function (error) {
      message(T.storage_failed + " (" + error + ")", "error");
      document.documentElement.setAttribute("data-luring-ready", "1");
    });
  }

  start();
})();
