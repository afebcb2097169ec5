/*
 * TumbuhChecks: the plausibility checks of a posyandu visit, on the phone, with the very words
 * and numbers the online visit form shows (issue 16).
 *
 * A plain script (no modules, no build, ES2015 at most, no eval): it defines the global
 * `TumbuhChecks`, and `module.exports` under Node. It holds the logic only; every word and
 * threshold comes from the server's `tumbuh.offline.phone.phone_texts()` (in the user's
 * language), given once to `setMessages`.
 *
 * Ported from, and tested against (tumbuh/offline/tests/test_js_checks*.py):
 *   checkVisit   ← tumbuh.measurements.actions.check_measurement (the confirm step), i.e.
 *                  validation.check_visit + the growth engine's reasons + "nothing measured"
 *   checkForm    ← tumbuh.measurements.forms.MeasurementForm's errors (the step before)
 *   checkEntry   ← the online flow: the form's errors if any, else the confirm step's problems
 *   statusWords  ← the template filter status_label;   statusClass ← status_class
 *   formatNumber ← tumbuh.core.numbers.format_number;  formatMeasure ← format_measure
 *   formatZ      ← the template filter zscore;         ageText ← age_text
 *
 * A visit: {birth_date: "YYYY-MM-DD", date: "YYYY-MM-DD", weight, lenhei, muac, headc
 * (numbers or null; checkForm also takes the typed text), position: "l"|"h"|"L"|"H"|"",
 * oedema: bool, optionally asi_months ("YT-…", months 0–6) and vitamin_a (number)}.
 * `assessed` is TumbuhGrowth.assess(visit): its flags (flen…fhc) and engine_reason are used.
 *
 * On the page: {{ phone_texts|json_script:"phone-texts" }}, then
 *   TumbuhChecks.setMessages(JSON.parse(document.getElementById("phone-texts").textContent));
 *   var problems = TumbuhChecks.checkEntry(visit, previous, today, TumbuhGrowth.assess(visit));
 * An "error" blocks saving (as online); a "warning" is shown after texts.labels.warning_prefix
 * ("Periksa:") and the cadre confirms with texts.labels.save_with_warnings. The status cells:
 * TumbuhChecks.formatZ(a.zlen) and TumbuhChecks.statusWords("tbu", a.status_tbu), with the class
 * TumbuhChecks.statusClass(a.status_tbu); likewise bbtb (zwfl) and bbu (zwei).
 */
(function (root) {
  "use strict";

  var texts = null;

  function setMessages(obj) {
    texts = obj;
  }

  function T() {
    if (!texts) {
      throw new Error("TumbuhChecks.setMessages(phone_texts) has not been called");
    }
    return texts;
  }

  // ------------------------------------------------------------ numbers (tumbuh.core.numbers)

  // The decimal a number is written as (its shortest representation, like Python's repr):
  // {neg, digits: "12345", point: where the decimal point goes in digits}.
  function decimalOf(x) {
    var s = String(x);
    var neg = s.charAt(0) === "-";
    if (neg) {
      s = s.slice(1);
    }
    var exp = 0;
    var e = s.indexOf("e");
    if (e >= 0) {
      exp = parseInt(s.slice(e + 1), 10);
      s = s.slice(0, e);
    }
    var dot = s.indexOf(".");
    var whole = dot < 0 ? s : s.slice(0, dot);
    var frac = dot < 0 ? "" : s.slice(dot + 1);
    return { neg: neg, digits: whole + frac, point: whole.length + exp };
  }

  // x rounded to `places` decimals, half up on the decimal it is written as (round_figure):
  // {neg, whole: "12", frac: "35"}; a zero is never negative. null for null/NaN/±Infinity.
  function roundParts(x, places) {
    if (x === null || x === undefined || x === "" || typeof x === "boolean") {
      return null;
    }
    x = Number(x);
    if (!isFinite(x)) {
      return null;
    }
    var d = decimalOf(x);
    var digits = d.digits;
    var point = d.point;
    while (point < 1) {
      digits = "0" + digits;
      point += 1;
    }
    while (digits.length < point + places + 1) {
      digits += "0";
    }
    var kept = [];
    var i;
    for (i = 0; i < point + places; i++) {
      kept.push(digits.charCodeAt(i) - 48);
    }
    if (digits.charCodeAt(point + places) - 48 >= 5) {
      i = kept.length - 1;
      while (i >= 0) {
        kept[i] += 1;
        if (kept[i] < 10) {
          break;
        }
        kept[i] = 0;
        i -= 1;
      }
      if (i < 0) {
        kept.unshift(1);
        point += 1;
      }
    }
    var whole = kept.slice(0, point).join("").replace(/^0+(?=\d)/, "");
    var frac = kept.slice(point).join("");
    var zero = /^0*$/.test(whole + frac);
    return { neg: d.neg && !zero, whole: whole || "0", frac: frac };
  }

  function roundNumber(x, places) {
    var p = roundParts(x, places);
    if (!p) {
      return null;
    }
    return Number((p.neg ? "-" : "") + p.whole + (p.frac ? "." + p.frac : ""));
  }

  function group(digits, sep, size) {
    if (size <= 0 || digits.length <= size) {
      return digits;
    }
    var head = digits.length % size || size;
    var out = digits.slice(0, head);
    for (var i = head; i < digits.length; i += size) {
      out += sep + digits.slice(i, i + size);
    }
    return out;
  }

  // format_number(x, places, grouping=True, min_places=None) in the active language:
  // formatNumber(1234.56, 1) is "1.234,6" in Indonesian; "" for null.
  function formatNumber(x, places, options) {
    options = options || {};
    var p = roundParts(x, places);
    if (!p) {
      return "";
    }
    var frac = p.frac;
    if (options.minPlaces !== undefined && options.minPlaces !== null) {
      frac = frac.replace(/0+$/, "");
      while (frac.length < options.minPlaces) {
        frac += "0";
      }
    }
    var n = T().numbers;
    var whole = options.grouping === false ? p.whole : group(p.whole, n.thousand_separator, n.grouping);
    return (p.neg ? "-" : "") + whole + (frac ? n.decimal_separator + frac : "");
  }

  // A measured value in a sentence (format_measure): "85,0", "9,5", "12,35".
  function formatMeasure(x) {
    return formatNumber(x, 2, { grouping: false, minPlaces: 1 });
  }

  // A z-score as the confirm step shows it (the zscore filter): "-1,23", "—" when missing.
  function formatZ(z) {
    if (z === null || z === undefined || z === "") {
      return T().empty;
    }
    return formatNumber(z, 2, { grouping: false });
  }

  // ------------------------------------------------------------ dates

  // What the date input gives (and what Django's "%Y-%m-%d" reads: 2025-3-1 too).
  var ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

  function dayNumber(iso) {
    if (iso === null || iso === undefined || iso === "") {
      return null;
    }
    var m = ISO_DATE.exec(String(iso));
    if (!m) {
      return null;
    }
    var y = +m[1];
    var mo = +m[2];
    var d = +m[3];
    var t = Date.UTC(y, mo - 1, d);
    var back = new Date(t);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
      return null; // 2025-02-30
    }
    return Math.round(t / 86400000);
  }

  function pad2(text) {
    return text.length < 2 ? "0" + text : text;
  }

  // "2025-03-01" → "01/03/2025" (the messages' f"{date:%d/%m/%Y}", in every language).
  function formatDate(iso) {
    var m = ISO_DATE.exec(String(iso || ""));
    return m && dayNumber(iso) !== null ? pad2(m[3]) + "/" + pad2(m[2]) + "/" + m[1] : "";
  }

  function daysBetween(a, b) {
    return dayNumber(b) - dayNumber(a);
  }

  // age_text: "2 th 3 bl" (Indonesian), "2 y 3 m" (English); "—" for null.
  function ageText(days) {
    if (days === null || days === undefined) {
      return T().empty;
    }
    var months = Math.trunc(days / T().rules.days_per_month);
    var years = Math.floor(months / 12); // Python's divmod
    months = months - years * 12;
    if (years) {
      return interpolate(T().labels.age_years_months, { years: String(years), months: String(months) });
    }
    return interpolate(T().labels.age_months, { months: String(months) });
  }

  // ------------------------------------------------------------ messages

  // Python's `text % params` for %(name)s / %(name)d with params already written out.
  function interpolate(template, params) {
    if (!params) {
      return template;
    }
    return template.replace(/%\((\w+)\)[sd]|%%/g, function (all, name) {
      if (all === "%%") {
        return "%";
      }
      if (!Object.prototype.hasOwnProperty.call(params, name)) {
        throw new Error("no parameter " + name + " for: " + template);
      }
      return params[name];
    });
  }

  // validation._fmt: a measured value for a message, rounded to 2 decimals (then written by
  // formatMeasure, as message_params writes a float).
  function fmt(x) {
    return formatMeasure(roundNumber(x, 2));
  }

  function problem(code, level, field, params) {
    var template = T().messages[code];
    if (template === undefined) {
      throw new Error("no message for " + code);
    }
    var hasParams = false;
    for (var k in params || {}) {
      if (Object.prototype.hasOwnProperty.call(params, k)) {
        hasParams = true;
      }
    }
    return {
      field: field,
      level: level,
      code: code,
      message: hasParams ? interpolate(template, params) : template,
    };
  }

  function num(value) {
    if (value === null || value === undefined || value === "" || typeof value === "boolean") {
      return null;
    }
    if (typeof value === "string") {
      value = value.trim();
      if (value === "" || /^[+-]?0[xob]/i.test(value)) {
        return null; // float() of Python reads neither
      }
    }
    var x = typeof value === "number" ? value : Number(value);
    return isFinite(x) ? x : null; // Python's float() also takes "inf" (→ out of range); a phone never sends it
  }

  function isIn(value, bounds) {
    return bounds[0] <= value && value <= bounds[1];
  }

  function position(value) {
    return String(value || "").toLowerCase();
  }

  // ------------------------------------------------------------ the checks (validation.py)

  function checkDates(date, birth, today) {
    var r = T().rules;
    var out = [];
    if (dayNumber(date) === null) {
      out.push(problem("date_missing", "error", "date"));
      return out;
    }
    if (dayNumber(date) > dayNumber(today)) {
      out.push(problem("date_in_future", "error", "date", { date: formatDate(date) }));
    }
    if (dayNumber(birth) === null) {
      return out;
    }
    if (dayNumber(birth) > dayNumber(date)) {
      out.push(
        problem("birth_after_visit", "error", "birth_date", { birth: formatDate(birth), date: formatDate(date) })
      );
    } else if (daysBetween(birth, date) >= r.max_age_days) {
      var months = Math.trunc(daysBetween(birth, date) / 30.4375);
      out.push(problem("age_over_59_months", "error", "birth_date", { months: String(months) }));
    }
    return out;
  }

  function circumference(field, value) {
    var r = T().rules;
    var bounds = r[field + "_range"];
    var mm = r[field + "_mm"];
    if (isIn(value, bounds)) {
      return [];
    }
    if (mm[0] <= value && value <= mm[1] && isIn(value / 10, bounds)) {
      return [problem(field + "_in_mm", "error", field, { value: fmt(value), fixed: fmt(value / 10) })];
    }
    return [
      problem(field + "_out_of_range", "error", field, { value: fmt(value), low: fmt(bounds[0]), high: fmt(bounds[1]) }),
    ];
  }

  function checkValues(weight, lenhei, muac, headc) {
    var r = T().rules;
    var W = r.weight_range;
    var H = r.lenhei_range;
    var w = num(weight);
    var h = num(lenhei);
    var a = num(muac);
    var c = num(headc);
    var out = [];
    if (w !== null && h !== null && !isIn(w, W) && !isIn(h, H)) {
      if (isIn(w, H) && isIn(h, W) && w > h) {
        return [problem("weight_height_swapped", "error", "weight", { weight: fmt(w), height: fmt(h) })];
      }
    }
    if (w !== null && !isIn(w, W)) {
      if (w > 400 && isIn(w / 1000, W)) {
        out.push(problem("weight_in_grams", "error", "weight", { value: fmt(w), fixed: fmt(w / 1000) }));
      } else {
        out.push(problem("weight_out_of_range", "error", "weight", { value: fmt(w), low: fmt(W[0]), high: fmt(W[1]) }));
      }
    }
    if (h !== null && !isIn(h, H)) {
      if (h > 300 && isIn(h / 10, H)) {
        out.push(problem("height_in_mm", "error", "lenhei", { value: fmt(h), fixed: fmt(h / 10) }));
      } else if (h > 0 && h < 2 && isIn(h * 100, H)) {
        out.push(problem("height_in_m", "error", "lenhei", { value: fmt(h), fixed: fmt(h * 100) }));
      } else {
        out.push(problem("height_out_of_range", "error", "lenhei", { value: fmt(h), low: fmt(H[0]), high: fmt(H[1]) }));
      }
    }
    if (a !== null) {
      out = out.concat(circumference("muac", a));
    }
    if (c !== null) {
      out = out.concat(circumference("headc", c));
    }
    return out;
  }

  function completedMonths(date, birth) {
    return Math.trunc(daysBetween(birth, date) / T().rules.days_per_month);
  }

  function checkServices(date, birth, asiMonths, vitaminA) {
    if (dayNumber(date) === null || dayNumber(birth) === null || dayNumber(birth) > dayNumber(date)) {
      return [];
    }
    var age = completedMonths(date, birth);
    var out = [];
    var later = [];
    var months = String(asiMonths || "").toUpperCase();
    for (var m = 0; m < months.length; m++) {
      if (m > age && (months.charAt(m) === "Y" || months.charAt(m) === "T")) {
        later.push(String(m));
      }
    }
    if (later.length) {
      out.push(problem("asi_month_after_age", "error", "asi_months", { age: String(age), months: later.join(", ") }));
    }
    if (vitaminA && age < T().rules.vitamin_a_from_months) {
      out.push(problem("vitamin_a_under_6_months", "warning", "vitamin_a", { age: String(age) }));
    }
    return out;
  }

  function standingHeight(lenhei, pos, ageDays) {
    var r = T().rules;
    if (pos !== "l" && pos !== "h") {
      pos = ageDays !== null && ageDays < r.lying_until_days ? "l" : "h";
    }
    return pos === "l" ? lenhei - r.position_correction : lenhei;
  }

  function checkChange(visit, previous, birth) {
    var r = T().rules;
    var d1 = dayNumber(previous.date);
    var d2 = dayNumber(visit.date);
    if (d1 === null || d2 === null || d1 === d2) {
      return [];
    }
    var earlier = d1 < d2 ? previous : visit;
    var later = d1 < d2 ? visit : previous;
    var days = Math.abs(d2 - d1);
    birth = dayNumber(birth) !== null ? birth : dayNumber(previous.birth_date) !== null ? previous.birth_date : null;
    var out = [];
    var h1 = num(earlier.lenhei);
    var h2 = num(later.lenhei);
    if (h1 !== null && h2 !== null && isIn(h1, r.lenhei_range) && isIn(h2, r.lenhei_range)) {
      var age1 = birth ? daysBetween(birth, earlier.date) : null;
      var age2 = birth ? daysBetween(birth, later.date) : null;
      var s1 = standingHeight(h1, position(earlier.position), age1);
      var s2 = standingHeight(h2, position(later.position), age2);
      if (s1 - s2 > r.height_decrease_tolerance) {
        out.push(
          problem("height_decreased", "error", "lenhei", {
            before: fmt(h1),
            after: fmt(h2),
            date: formatDate(earlier.date),
            tolerance: fmt(r.height_decrease_tolerance),
          })
        );
      }
    }
    var w1 = num(earlier.weight);
    var w2 = num(later.weight);
    if (w1 !== null && w2 !== null && isIn(w1, r.weight_range) && isIn(w2, r.weight_range)) {
      var change = w2 - w1;
      var gainLimit = r.weight_tolerance + r.weight_gain_per_day * days;
      var lossLimit = r.weight_tolerance + Math.min(r.weight_loss_per_day * days, r.weight_loss_max_share * w1);
      if (change > gainLimit || -change > lossLimit) {
        out.push(
          problem("weight_change_impossible", "error", "weight", {
            before: fmt(w1),
            after: fmt(w2),
            date: formatDate(earlier.date),
            days: String(days),
          })
        );
      }
    }
    return out;
  }

  var FLAGS = ["flen", "fwei", "fwfl", "fbmi", "fac", "fhc"];
  var WEIGHT_FLAGS = { fwei: true, fwfl: true, fbmi: true };

  function checkFlags(assessed) {
    var out = [];
    for (var i = 0; i < FLAGS.length; i++) {
      var name = FLAGS[i];
      if (assessed && assessed[name]) {
        out.push(
          problem("who_flag_" + name.slice(1), "warning", WEIGHT_FLAGS[name] ? "weight" : "lenhei", {
            indicator: T().indicators[name],
          })
        );
      }
    }
    return out;
  }

  // The growth engine's reasons (texts.engine_codes: actions.ENGINE_MESSAGES) that
  // check_measurement shows, as warnings, and the input each is about.
  var ENGINE_FIELDS = {
    measure_invalid: "position",
    standing_under_9mo: "position",
    oedema: "oedema",
    wfl_out_of_range: "lenhei",
    age_under_91_days: "muac",
  };
  var ENGINE_HIDDEN = {
    age_negative: true, // the date checks say it
    age_out_of_range: true,
    weight_missing: true, // so do "enter the weight or the length/height" and the ranges
    lenhei_missing: true,
    weight_nonpositive: true,
    lenhei_nonpositive: true,
  };

  function reasonCodes(reason) {
    if (!reason) {
      return [];
    }
    var codes = typeof reason === "string" ? reason.split(";") : reason;
    return codes.filter(function (c) {
      return !!c;
    });
  }

  function isEmpty(value) {
    return value === null || value === undefined || value === "";
  }

  // check_measurement(m, today=today): what the confirm step lists, errors and warnings in
  // its order: [{field, level: "error"|"warning", code, message}].
  function checkVisit(visit, previous, today, assessed) {
    var birth = visit.birth_date;
    var out = checkDates(visit.date, birth, today);
    var values = checkValues(visit.weight, visit.lenhei, visit.muac, visit.headc);
    out = out.concat(values);
    out = out.concat(checkServices(visit.date, birth, visit.asi_months, visit.vitamin_a));
    var valueError = values.some(function (p) {
      return p.level === "error";
    });
    if (previous && !valueError) {
      out = out.concat(checkChange(visit, previous, birth));
    }
    out = out.concat(checkFlags(assessed));
    var seen = {};
    out.forEach(function (p) {
      seen[p.code] = true;
    });
    var engineCodes = T().engine_codes;
    reasonCodes(assessed ? assessed.engine_reason : "").forEach(function (code) {
      if (engineCodes.indexOf(code) < 0 || seen[code] || ENGINE_HIDDEN[code]) {
        return;
      }
      out.push(problem(code, "warning", ENGINE_FIELDS[code] || ""));
    });
    if (isEmpty(visit.weight) && isEmpty(visit.lenhei)) {
      out.push(problem("nothing_measured", "error", "weight"));
    }
    return out;
  }

  // ------------------------------------------------------------ the form (MeasurementForm)

  var NUMBER_TEXT = /^\d+([.,]\d+)?$/;

  // A typed decimal → {whole, frac} (digits, as Decimal(text) keeps them), or null when the
  // form would say "Enter a number, e.g. 9,5.".
  function typedDecimal(value) {
    var text = typeof value === "number" ? String(value) : String(value).trim().replace(/ /g, "");
    if (!NUMBER_TEXT.test(text)) {
      return null;
    }
    var parts = text.replace(",", ".").split(".");
    return { whole: parts[0], frac: parts.length > 1 ? parts[1] : "" };
  }

  // Compare two non-negative decimals given as {whole, frac}: -1, 0, 1.
  function compareDecimal(a, b) {
    var aw = a.whole.replace(/^0+/, "");
    var bw = b.whole.replace(/^0+/, "");
    if (aw.length !== bw.length) {
      return aw.length < bw.length ? -1 : 1;
    }
    if (aw !== bw) {
      return aw < bw ? -1 : 1;
    }
    var n = Math.max(a.frac.length, b.frac.length);
    var af = a.frac;
    var bf = b.frac;
    while (af.length < n) {
      af += "0";
    }
    while (bf.length < n) {
      bf += "0";
    }
    return af === bf ? 0 : af < bf ? -1 : 1;
  }

  function limitDecimal(text) {
    var parts = String(text).split(".");
    return { whole: parts[0], frac: parts.length > 1 ? parts[1] : "" };
  }

  // Django's DecimalValidator on Decimal(text): the code of the first limit broken, or null.
  function decimalProblem(dec, maxDigits, decimalPlaces) {
    var digitTuple = (dec.whole + dec.frac).replace(/^0+/, "") || "0";
    var exponent = -dec.frac.length;
    var digits;
    var decimals;
    if (exponent >= 0) {
      digits = digitTuple.length;
      if (digitTuple !== "0") {
        digits += exponent;
      }
      decimals = 0;
    } else if (-exponent > digitTuple.length) {
      digits = decimals = -exponent;
    } else {
      digits = digitTuple.length;
      decimals = -exponent;
    }
    if (digits > maxDigits) {
      return "max_digits";
    }
    if (decimals > decimalPlaces) {
      return "max_decimal_places";
    }
    if (digits - decimals > maxDigits - decimalPlaces) {
      return "max_whole_digits";
    }
    return null;
  }

  var FORM_ORDER = ["date", "weight", "lenhei", "position", "muac", "headc"];

  // MeasurementForm's errors for a visit typed on `today` (the step before the confirm step):
  // [{field ("__all__" for the form's own), level: "error", code, message}] in the form's order.
  function checkForm(visit, today) {
    var f = T().form;
    var out = [];
    function add(field, code, message) {
      out.push({ field: field, level: "error", code: code, message: message });
    }
    FORM_ORDER.forEach(function (name) {
      var value = visit[name];
      if (name === "date") {
        if (isEmpty(value)) {
          if (f.date_required) {
            add("date", "required", f.required);
          }
          return;
        }
        var day = dayNumber(value);
        if (day === null) {
          add("date", "invalid", f.invalid_date);
        } else if (day > dayNumber(today)) {
          add("date", "visit_date_future", f.visit_date_future);
        } else if (dayNumber(visit.birth_date) !== null && day < dayNumber(visit.birth_date)) {
          add("date", "visit_date_before_birth", f.visit_date_before_birth);
        }
        return;
      }
      if (name === "position") {
        if (f.position_required && position(value) !== "l" && position(value) !== "h") {
          add("position", "required", f.position_required_message);
        }
        return;
      }
      if (isEmpty(value)) {
        return;
      }
      var dec = typedDecimal(value);
      if (!dec) {
        add(name, "invalid", f.invalid_number);
        return;
      }
      f.fields[name].checks.forEach(function (check) {
        if (check.code === "max_value" && compareDecimal(dec, limitDecimal(check.limit)) > 0) {
          add(name, check.code, check.message);
        } else if (check.code === "min_value" && compareDecimal(dec, limitDecimal(check.limit)) < 0) {
          add(name, check.code, check.message);
        } else if (check.code === "decimal") {
          var code = decimalProblem(dec, check.max_digits, check.decimal_places);
          if (code) {
            add(name, code, check.messages[code]);
          }
        }
      });
    });
    if (!out.length && isEmpty(visit.weight) && isEmpty(visit.lenhei)) {
      add("__all__", "nothing_measured", f.nothing_measured);
    }
    return out;
  }

  // What the online form shows for this entry: its errors if the form has any (the cadre
  // fixes them first), else the confirm step's errors and warnings.
  function checkEntry(visit, previous, today, assessed) {
    var errors = checkForm(visit, today);
    return errors.length ? errors : checkVisit(visit, previous, today, assessed);
  }

  // ------------------------------------------------------------ status words

  function indicatorOf(field) {
    return String(field || "").replace(/^status_/, "");
  }

  // The words the confirm step shows for a Permenkes category (status_label): "—" for none.
  function statusWords(field, code) {
    if (!code) {
      return T().empty;
    }
    var words = T().status[indicatorOf(field)];
    return words && Object.prototype.hasOwnProperty.call(words, code) ? words[code] : code;
  }

  // The CSS class the confirm step gives a category (status_class): "status-bad" etc.
  function statusClass(code) {
    if (!code) {
      return "";
    }
    var classes = T().status_class;
    return Object.prototype.hasOwnProperty.call(classes, code) ? classes[code] : "status-ok";
  }

  var api = {
    setMessages: setMessages,
    checkVisit: checkVisit,
    checkForm: checkForm,
    checkEntry: checkEntry,
    statusWords: statusWords,
    statusClass: statusClass,
    formatNumber: formatNumber,
    formatMeasure: formatMeasure,
    formatZ: formatZ,
    formatDate: formatDate,
    ageText: ageText,
    roundNumber: roundNumber,
    interpolate: interpolate,
  };
  root.TumbuhChecks = api;
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  }
})(typeof self !== "undefined" ? self : this);
