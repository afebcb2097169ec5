/*
 * Tumbuh's growth engine on the phone: WHO Child Growth Standards 2006 z-scores, WHO's flags
 * and the Permenkes 2/2020 categories, as the server computes them.
 *
 * A line-by-line port of tumbuh/growth/zscores.py (anthro_zscores, which follows WHO's R
 * package anthro), tumbuh/growth/classify.py and tumbuh/measurements/scoring.py
 * (score_columns), in the same floating-point order, so that the phone shows the same
 * rounded z-scores, flags and categories as the server. The WHO tables come from the
 * server (tumbuh/growth/webtables.py, served at /anak/kunjungan/luring/who/<hash>.json).
 *
 * Plain ES5 (old phones): no modules, no dependencies, no eval. Defines the global
 * TumbuhGrowth, and module.exports under Node.
 *
 *   TumbuhGrowth.setTables(json)   the served tables (a parsed object)
 *   TumbuhGrowth.tablesLoaded()    true once setTables succeeded
 *   TumbuhGrowth.assess(visit)     the computed fields of a Measurement (see assess below)
 *   TumbuhGrowth.anthro(row)       WHO's anthro_zscores for one row (raw codes, as the engine takes them)
 */
(function (root) {
  "use strict";

  var DAYS_PER_MONTH = 30.4375;

  // Reason codes in bit order (tumbuh/growth/zscores.py REASONS): engine_reason lists them in this order.
  var REASONS = [
    "sex_missing", "sex_unknown", "age_missing", "age_invalid", "age_negative", "age_out_of_range",
    "weight_missing", "weight_invalid", "weight_nonpositive",
    "lenhei_missing", "lenhei_invalid", "lenhei_nonpositive",
    "measure_invalid", "standing_under_9mo", "oedema_invalid", "oedema", "wfl_out_of_range",
    "headc_invalid", "headc_nonpositive", "armc_invalid", "armc_nonpositive",
    "triskin_invalid", "triskin_nonpositive", "subskin_invalid", "subskin_nonpositive",
    "age_under_91_days", "height_missing", "height_invalid", "height_nonpositive"
  ];

  var SEX_TEXT = {
    "1": 1, "2": 2, "1.0": 1, "2.0": 2, "m": 1, "f": 2, "male": 1, "female": 2,
    "l": 1, "p": 2, "lk": 1, "pr": 2, "laki-laki": 1, "laki laki": 1, "lakilaki": 1, "perempuan": 2
  };
  var SEX_NUMERIC = { "1": 1, "2": 2 };
  var MEASURE_TEXT = {
    "l": 1, "h": 2, "length": 1, "height": 2, "recumbent": 1, "standing": 2,
    "terlentang": 1, "berdiri": 2, "telentang": 1
  };
  var MEASURE_NUMERIC = {};
  var OEDEMA_TEXT = {
    "y": 1, "1": 1, "ya": 1, "yes": 1, "true": 1,
    "n": 0, "2": 0, "0": 0, "tidak": 0, "t": 0, "no": 0, "false": 0
  };
  var OEDEMA_NUMERIC = { "1": 1, "2": 0, "0": 0 };
  var NA_WORDS = { "": 1, "na": 1, "nan": 1, "null": 1, "none": 1, "n/a": 1, "-": 1, ".": 1 };
  var NUMBER_RE = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

  var FLAG_LIMITS = { len: [-6, 6], wei: [-6, 5], wfl: [-5, 5], bmi: [-5, 5], hc: [-5, 5], ac: [-5, 5] };
  var RESTRICTED = { len: false, hc: false, wei: true, wfl: true, bmi: true, ac: true };
  var AGE_TABLES = ["len", "wei", "bmi", "hc", "ac"];

  // Permenkes 2/2020 categories (tumbuh/growth/classify.py _BINS): [code, lower bound, inclusive].
  var BBTB = [["gizi_buruk", null, false], ["gizi_kurang", -3, true], ["gizi_baik", -2, true],
    ["berisiko_gizi_lebih", 1, false], ["gizi_lebih", 2, false], ["obesitas", 3, false]];
  var BINS = {
    tbu: [["sangat_pendek", null, false], ["pendek", -3, true], ["normal", -2, true], ["tinggi", 3, false]],
    bbtb: BBTB,
    bbu: [["bb_sangat_kurang", null, false], ["bb_kurang", -3, true], ["bb_normal", -2, true],
      ["risiko_bb_lebih", 1, false]],
    imtu: BBTB
  };
  var IMPLAUSIBLE = "implausible";
  // status column, indicator, z name (classify.py CATEGORY_COLUMN, Z_COLUMN); weight-based ones take oedema.
  var STATUS = [["status_tbu", "tbu", "len", false], ["status_bbu", "bbu", "wei", true],
    ["status_bbtb", "bbtb", "wfl", true], ["status_imtu", "imtu", "bmi", true]];

  var T = null; // decoded tables: name -> {start, stop, plainL1, sexes: [null, {L, M, S}, {L, M, S}]}

  // ------------------------------------------------------------------ tables

  function decodeColumn(col, n) {
    var out = new Array(n), i;
    if (typeof col === "number") {
      for (i = 0; i < n; i++) out[i] = col;
      return out;
    }
    if (!col || typeof col.d !== "number" || !col.v || col.v.length !== n) throw new Error("bad WHO table column");
    var scale = 1;
    for (i = 0; i < col.d; i++) scale *= 10; // exact up to 10^22
    var acc = 0;
    for (i = 0; i < n; i++) {
      acc += col.v[i]; // integers below 2^53: exact
      out[i] = acc / scale; // correctly rounded: the double of the decimal in WHO's table
    }
    return out;
  }

  function setTables(obj) {
    if (!obj || obj.format !== 1 || !obj.tables) throw new Error("unknown WHO tables format");
    var names = AGE_TABLES.concat(["wfl", "wfh"]), decoded = {}, i, s;
    for (i = 0; i < names.length; i++) {
      var t = obj.tables[names[i]];
      if (!t) throw new Error("WHO table missing: " + names[i]);
      var n = t.stop - t.start + 1, sexes = [null];
      for (s = 0; s < 2; s++) {
        var c = t.sexes[s];
        sexes.push({ L: decodeColumn(c.L, n), M: decodeColumn(c.M, n), S: decodeColumn(c.S, n) });
      }
      decoded[names[i]] = { start: t.start, stop: t.stop, n: n, plainL1: !!t.plain_l1, sexes: sexes };
    }
    T = decoded;
  }

  function tablesLoaded() {
    return T !== null;
  }

  // ------------------------------------------------------------------ inputs (tumbuh/growth/_inputs.py)

  function isMissing(x) {
    return x === null || x === undefined || (typeof x === "number" && x !== x);
  }

  function cleanText(x) {
    return String(x).replace(/^\s+|\s+$/g, "").toLowerCase();
  }

  // -> [value (NaN if missing/invalid), invalid]
  function toFloat(x) {
    if (isMissing(x)) return [NaN, false];
    if (typeof x === "number") return [x, false];
    if (typeof x === "boolean") return [x ? 1 : 0, false];
    var s = cleanText(x);
    if (NA_WORDS.hasOwnProperty(s)) return [NaN, false];
    s = s.replace(/,/g, ".");
    if (!NUMBER_RE.test(s)) return [NaN, true];
    return [parseFloat(s), false];
  }

  // -> [code (0 if missing/invalid), missing, invalid]
  function toCode(x, textMap, numericMap) {
    if (isMissing(x)) return [0, true, false];
    if (typeof x === "number" || typeof x === "boolean") {
      var v = typeof x === "boolean" ? (x ? 1 : 0) : x;
      var key = String(v);
      return numericMap.hasOwnProperty(key) ? [numericMap[key], false, false] : [0, false, true];
    }
    var s = cleanText(x);
    if (textMap.hasOwnProperty(s)) return [textMap[s], false, false];
    if (NA_WORDS.hasOwnProperty(s)) return [0, true, false];
    return [0, false, true];
  }

  // ------------------------------------------------------------------ arithmetic (zscores.py)

  var R_ROUND_BIG_2 = 8796093022208; // 2^43: R's round(x, 2) returns |x| >= this unchanged (_r_round_big(2))

  // R's round(x, 2) (R >= 4.0.0): the nearer of floor and ceil at 2 decimals, ties to an even last digit.
  function rRound2(x) {
    if (x !== x) return NaN;
    var ax = Math.abs(x), res;
    if (ax >= R_ROUND_BIG_2) {
      res = ax;
    } else {
      var x10 = ax * 100, i10 = Math.floor(x10);
      var xd = i10 / 100, xu = Math.ceil(x10) / 100;
      var du = xu - ax, dd = ax - xd;
      var up = du < dd;
      if (du === dd) up = i10 % 2 === 1;
      res = up ? xu : xd;
    }
    return x < 0 ? -res : res;
  }

  function roundHalfUp(x) {
    var f = Math.floor(x);
    return x - f >= 0.5 ? f + 1 : f;
  }

  function trunc(x) {
    return x < 0 ? Math.ceil(x) : Math.floor(x);
  }

  // z = ((y/M)^L - 1)/(S·L); restricted: WHO's linear extension beyond +/-3 SD.
  function lmsZ(y, L, M, S, restricted, plainL1) {
    var z = y / M;
    if (!plainL1) z = Math.pow(z, L);
    z = z - 1;
    z = z / (plainL1 ? S : S * L);
    if (restricted && Math.abs(z) > 3) {
      var k = z > 3 ? 3 : -3;
      var ls = L * S, inv = 1 / L;
      var sd3 = M * Math.pow(1 + ls * k, inv);
      var sd2 = M * Math.pow(1 + ls * (k > 0 ? 2 : -2), inv);
      z = k > 0 ? 3 + (y - sd3) / (sd3 - sd2) : -3 + (y - sd3) / (sd2 - sd3);
    }
    return z;
  }

  // WHO's flag: on the z rounded to 2 decimals, strict limits. null where z is missing.
  function flagOf(z, name) {
    if (z !== z) return null;
    var r = rRound2(z), lim = FLAG_LIMITS[name];
    return r < lim[0] || r > lim[1];
  }

  function ageIndicator(name, y, sex, day, ageOk) {
    var tab = T[name];
    if (!(ageOk && day >= tab.start && day <= tab.stop && sex > 0 && y > 0)) return NaN;
    var c = tab.sexes[sex], i = day - tab.start;
    return lmsZ(y, c.L[i], c.M[i], c.S[i], RESTRICTED[name], tab.plainL1);
  }

  // Weight-for-length/height: table chosen by age, then by position, then at 87 cm.
  function wflIndicator(weight, x, sex, day, months, mc, oe) {
    var dayNa = day !== day, xOk = x === x;
    var onL = (!dayNa && day < 731) || (dayNa && mc === 1) || (dayNa && mc === 0 && xOk && x < 87);
    var onH = (!dayNa && day >= 731) || (dayNa && mc === 2) || (dayNa && mc === 0 && xOk && x >= 87);
    var inL = onL && x >= 45 && x <= 110;
    var inH = !onL && onH && x >= 65 && x <= 120;
    var valid = (inL || inH) && oe === 0 && (dayNa || day <= 1856) && !(months >= 60) && sex > 0;
    var outOfRange = !(inL || inH) && xOk && (onL || onH);
    if (!valid) return [NaN, outOfRange];
    var tab = T[inH ? "wfh" : "wfl"], c = tab.sexes[sex];
    var mmLo = trunc(x * 10), mmUp = trunc(x * 10 + 1);
    var frac = (x - mmLo / 10) / 0.1;
    var lo = mmLo - tab.start, upI = mmUp - tab.start;
    var Ll = c.L[lo], Ml = c.M[lo], Sl = c.S[lo], L = Ll, M = Ml, S = Sl;
    if (frac > 0) {
      var has = upI >= 0 && upI < tab.n; // beyond the table: NaN, like WHO's failed join
      var Lu = has ? c.L[upI] : NaN, Mu = has ? c.M[upI] : NaN, Su = has ? c.S[upI] : NaN;
      L = Ll + frac * (Lu - Ll);
      M = Ml + frac * (Mu - Ml);
      S = Sl + frac * (Su - Sl);
    }
    var y = weight > 0 ? weight : NaN;
    return [lmsZ(y, L, M, S, true, false), outOfRange];
  }

  // ------------------------------------------------------------------ anthro_zscores, one row

  /*
   * row: {sex, age_days, age_months, weight, lenhei, measure, oedema, headc, armc}; numbers or
   * text as WHO's anthro takes them (sex 1/2/m/f..., measure l/h, oedema y/n...). Missing
   * values: null/undefined/NaN. Returns WHO's columns (z at full precision, NaN when missing;
   * flags 1/0/NaN) for len wei wfl bmi hc ac, plus reasons (a list of codes) and reason ("a;b").
   */
  function anthro(row) {
    if (T === null) throw new Error("TumbuhGrowth: call setTables first");
    var bits = {};
    function set(cond, code) {
      if (cond) bits[code] = true;
    }

    var sx = toCode(row.sex, SEX_TEXT, SEX_NUMERIC);
    var sex = sx[0];
    set(sx[1], "sex_missing");
    set(sx[2], "sex_unknown");

    // Age: days rounded half up for the tables; unrounded months for the limits.
    var ad = toFloat(row.age_days), am = toFloat(row.age_months);
    var aD = ad[0], aM = am[0], useDays = aD === aD;
    var daysF = useDays ? aD : aM * DAYS_PER_MONTH;
    var months = useDays ? aD / DAYS_PER_MONTH : aM;
    var badAge = (ad[1] && !useDays && aM !== aM) || (am[1] && !useDays);
    var neg = daysF < 0;
    if (neg) {
      daysF = NaN;
      months = NaN;
    }
    var day = roundHalfUp(daysF);
    var dayNa = day !== day;
    var ageOk = months < 60;
    set(badAge, "age_invalid");
    set(neg, "age_negative");
    set(dayNa && !neg && !badAge, "age_missing");
    set(months === months && !ageOk, "age_out_of_range");

    function measurement(value, name, reportMissing) {
      var f = toFloat(value), v = f[0], nonpos = v <= 0;
      set(f[1], name + "_invalid");
      set(nonpos, name + "_nonpositive");
      if (nonpos) v = NaN;
      if (reportMissing) set(v !== v && !f[1] && !nonpos, name + "_missing");
      return v;
    }

    var wt = measurement(row.weight, "weight", true);
    var lh = measurement(row.lenhei, "lenhei", true);
    var m = toCode(row.measure, MEASURE_TEXT, MEASURE_NUMERIC), mc = m[0];
    var o = toCode(row.oedema, OEDEMA_TEXT, OEDEMA_NUMERIC), oe = o[0];
    set(m[2], "measure_invalid");
    set(o[2], "oedema_invalid");
    var c9 = mc === 2 && months < 9;
    if (c9) mc = 0;
    set(c9, "standing_under_9mo");

    var clen = lh;
    if (day < 731 && mc === 2) clen = lh + 0.7;
    if (day >= 731 && mc === 1) clen = lh - 0.7;
    var h = clen / 100;
    var bmi = wt / (h * h);

    var hasOedema = oe === 1;
    set(hasOedema && wt === wt, "oedema");
    var hc = measurement(row.headc, "headc", false);
    var ac = measurement(row.armc, "armc", false);
    set(ac === ac && day < 91, "age_under_91_days");

    var ys = { len: clen, wei: hasOedema ? NaN : wt, bmi: hasOedema ? NaN : bmi, hc: hc, ac: ac };
    var out = {
      clenhei: clen, cmeasure: mc === 1 ? "l" : mc === 2 ? "h" : null, c9mo_flag: c9 ? 1 : 0,
      cbmi: bmi, csex: sex > 0 ? sex : NaN
    };
    var i, name, z, f;
    for (i = 0; i < AGE_TABLES.length; i++) {
      name = AGE_TABLES[i];
      out["z" + name] = ageIndicator(name, ys[name], sex, day, ageOk);
    }
    var w = wflIndicator(wt, clen, sex, day, months, mc, oe);
    out.zwfl = w[0];
    set(w[1] && wt === wt, "wfl_out_of_range");
    var names = ["len", "wei", "wfl", "bmi", "hc", "ac"];
    for (i = 0; i < names.length; i++) {
      name = names[i];
      z = out["z" + name];
      f = flagOf(z, name);
      out["f" + name] = f === null ? NaN : f ? 1 : 0;
    }
    var reasons = [];
    for (i = 0; i < REASONS.length; i++) if (bits[REASONS[i]]) reasons.push(REASONS[i]);
    out.reasons = reasons;
    out.reason = reasons.join(";");
    return out;
  }

  // ------------------------------------------------------------------ classify.py

  /* The Permenkes category code of z for an indicator (tbu, bbu, bbtb, imtu); null when z is
   * missing; "implausible" when flagged; with oedema, a weight-based indicator's most severe one. */
  function classify(z, indicator, flagged, oedema, weightBased) {
    var bins = BINS[indicator], code = null;
    if (z === z && z !== null) {
      var zr = rRound2(z), pos = 0;
      for (var i = 1; i < bins.length; i++) {
        if (bins[i][2] ? zr >= bins[i][1] : zr > bins[i][1]) pos++;
      }
      code = bins[pos][0];
    }
    if (flagged) code = IMPLAUSIBLE;
    if (oedema && weightBased) code = bins[0][0];
    return code;
  }

  function statuses(res, oedema) {
    var out = {};
    for (var i = 0; i < STATUS.length; i++) {
      var s = STATUS[i];
      out[s[0]] = classify(res["z" + s[2]], s[1], res["f" + s[2]] === 1, oedema, s[3]);
    }
    return out;
  }

  // ------------------------------------------------------------------ the visit (measurements/scoring.py)

  // Days since 0000-03-01 of a "YYYY-MM-DD" date (proleptic Gregorian), or NaN.
  function dayNumber(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typeof text === "string" ? text : "");
    if (!m) return NaN;
    var y = +m[1], mo = +m[2], d = +m[3];
    var mdays = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return NaN;
    if (mo <= 2) y -= 1;
    var era = Math.floor(y / 400), yoe = y - era * 400;
    var doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    var doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe;
  }

  function nullIfNaN(x) {
    return x === x ? x : null;
  }

  /*
   * visit: {sex: 1|2, birth_date: "YYYY-MM-DD", date: "YYYY-MM-DD", weight, lenhei (numbers or
   * null), position: "L"|"H"|"", oedema: bool, muac, headc}. Returns the computed fields of a
   * Measurement, as tumbuh.measurements.scoring.score_columns gives them: age_days, z (full
   * precision; round to 2 decimals to show), flags true/false/null, status codes or null,
   * engine_reason ("" when nothing is missing).
   */
  function assess(v) {
    var age = dayNumber(v.date) - dayNumber(v.birth_date);
    var oedema = !!v.oedema;
    var position = v.position ? v.position : null;
    var res = anthro({
      sex: v.sex, age_days: age, weight: v.weight, lenhei: v.lenhei, measure: position,
      oedema: oedema ? "y" : "n", headc: v.headc, armc: v.muac
    });
    var out = { age_days: nullIfNaN(age) };
    var names = ["len", "wei", "wfl", "bmi", "ac", "hc"], i, f;
    for (i = 0; i < names.length; i++) out["z" + names[i]] = nullIfNaN(res["z" + names[i]]);
    for (i = 0; i < names.length; i++) {
      f = res["f" + names[i]];
      out["f" + names[i]] = f === f ? f === 1 : null;
    }
    var st = statuses(res, oedema);
    for (var k in st) if (st.hasOwnProperty(k)) out[k] = st[k];
    out.engine_reason = res.reason;
    return out;
  }

  var api = {
    setTables: setTables,
    tablesLoaded: tablesLoaded,
    assess: assess,
    anthro: anthro,
    statuses: statuses,
    classify: classify,
    rRound2: rRound2,
    REASONS: REASONS.slice()
  };
  root.TumbuhGrowth = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof self !== "undefined" ? self : typeof window !== "undefined" ? window : this);
