# Reference prevalence estimates computed directly with R's `survey` package, the way
# WHO's anthro_prevalence() calls it (svydesign(..., nest = TRUE), lonely PSU "adjust",
# svyby domain estimates, svyciprop(method = "logit") on degf(design) df).
# Written for Tumbuh from the documented algorithm; it is not WHO's code.
#
# Usage (from the repository root):
#   Rscript tumbuh/growth/tests/reference/prevalence/reference.R tumbuh/growth/tests/reference/prevalence
#   Rscript .../reference.R DIR full        # only some scenarios (comma-separated), as the bench does
# Writes expected_<scenario>.csv next to input.csv, plus session.txt (R and survey versions).
#
# Deliberate choices, mirrored by tumbuh.growth.prevalence:
# * *_stdev uses svyvar on the rows with a non-missing z (n = those rows with a non-zero
#   weight). survey 4.1's svyvar would count the group's missing-z rows in n as well.
# * Prevalence CIs: *_ll/*_ul are svyciprop(method = "logit") as WHO calls it (a quasibinomial
#   svyglm, so the limits carry IRLS convergence error, ~1e-7 relative); *_llx/*_ulx are
#   svyciprop(method = "xlogit"): the same interval in closed form. Raw intervals at 0 %
#   and 100 % are kept; the Python tests handle those boundaries.

suppressMessages(library(survey))
options(survey.lonely.psu = "adjust", digits = 17)

args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "."
raw <- read.csv(file.path(dir, "input.csv"), stringsAsFactors = FALSE,
                colClasses = c(sex = "character", desa = "character", oedema = "character"))

age_levels <- c("00-05 mo", "06-11 mo", "12-23 mo", "24-35 mo", "36-47 mo", "48-59 mo")
indicators <- list(
  list(label = "HA", z = "zlen", f = "flen", aux = FALSE),
  list(label = "WA", z = "zwei", f = "fwei", aux = TRUE),
  list(label = "BMI", z = "zbmi", f = "fbmi", aux = TRUE),
  list(label = "WH", z = "zwfl", f = "fwfl", aux = TRUE)
)
cutoffs <- c(-3, -2, -1, 1, 2, 3)
suffix <- c("_3", "_2", "_1", "1", "2", "3")

prepare <- function(d, cluster, strata, weight) {
  days <- d$age_days
  rounded <- floor(days) + ((days - floor(days)) >= 0.5)
  keep <- is.na(rounded) | rounded <= 1826
  if (!is.null(cluster)) keep <- keep & !is.na(d[[cluster]])
  if (!is.null(strata)) keep <- keep & !is.na(d[[strata]])
  d <- d[keep, , drop = FALSE]
  oed <- tolower(trimws(d$oedema)) %in% c("y", "1")
  for (ind in indicators) {
    z <- d[[ind$z]]
    z[!is.na(d[[ind$f]]) & d[[ind$f]] == 1] <- NA
    if (ind$aux) {
      z[oed] <- NA
      aux <- ifelse(oed, -3.1, z)
    } else {
      aux <- z
    }
    d[[ind$z]] <- z
    d[[paste0(ind$z, "_aux")]] <- aux
    for (i in seq_along(cutoffs)) {
      cut <- cutoffs[i]
      d[[paste0("prev_", ind$label, suffix[i])]] <-
        if (cut < 0) as.integer(aux < cut) else as.integer(aux > cut)
    }
  }
  both <- !is.na(d$zlen) & !is.na(d$zwfl_aux)
  d$prev_HA_2_WH_2 <- ifelse(both, as.integer(d$zlen < -2 & d$zwfl_aux < -2), NA_integer_)
  d$prev_HA_2_WH2 <- ifelse(both, as.integer(d$zlen < -2 & d$zwfl_aux > 2), NA_integer_)
  months <- days[keep] / 30.4375
  d$age_group <- cut(months, breaks = c(0, 6, 12, 24, 36, 48, 60), labels = age_levels,
                     right = FALSE)
  s <- tolower(trimws(d$sex))
  d$sexf <- factor(ifelse(s %in% c("1", "m"), "Male", ifelse(s %in% c("2", "f"), "Female", NA)),
                   levels = c("Female", "Male"))
  d$age_sex <- interaction(d$age_group, d$sexf)
  d$all <- factor(rep("All", nrow(d)))
  d$desa_f <- factor(d$desa, levels = sort(unique(d$desa[!is.na(d$desa)])))
  if (!is.null(weight)) d[[weight]][is.na(d[[weight]])] <- 0
  d
}

make_design <- function(d, cluster, strata, weight, weighted = TRUE) {
  ids <- if (!is.null(cluster) && length(unique(d[[cluster]])) > 1) {
    as.formula(paste0("~", cluster))
  } else {
    ~1
  }
  svydesign(ids = ids,
            strata = if (!is.null(strata)) as.formula(paste0("~", strata)),
            weights = if (weighted && !is.null(weight)) as.formula(paste0("~", weight)),
            data = d, nest = TRUE)
}

by_group <- function(design, design_unw, d, gvar, label) {
  g <- as.formula(paste0("~", gvar))
  levels_g <- levels(d[[gvar]])
  df <- degf(design)
  out <- data.frame(Group = if (label == "All") "All" else paste0(label, ": ", levels_g),
                    stringsAsFactors = FALSE)
  pop <- function(col, dsg) {
    f <- as.formula(paste0("~I(!is.na(", col, "))"))
    r <- svyby(f, g, dsg, svytotal, drop.empty.groups = FALSE)
    v <- r[[paste0("I(!is.na(", col, "))TRUE")]]
    v[is.na(v)] <- 0
    v
  }
  prev <- function(col) {
    f <- as.formula(paste0("~", col))
    if (all(is.na(d[[col]]))) return(matrix(NA_real_, length(levels_g), 6))
    m <- svyby(f, g, design, svymean, na.rm = TRUE, na.rm.all = TRUE,
               drop.empty.groups = FALSE)
    ci <- suppressWarnings(svyby(f, g, design, svyciprop, vartype = "ci", df = df,
                                 method = "logit", drop.empty.groups = FALSE,
                                 na.rm.all = TRUE, level = 0.95))
    # the same logit interval without svyglm's IRLS iterations (exact to rounding)
    cix <- suppressWarnings(svyby(f, g, design, svyciprop, vartype = "ci", df = df,
                                  method = "xlogit", na.rm = TRUE, drop.empty.groups = FALSE,
                                  na.rm.all = TRUE, level = 0.95))
    cbind(m[[col]] * 100, SE(m) * 100, ci[, 3] * 100, ci[, 4] * 100,
          cix[, 3] * 100, cix[, 4] * 100)
  }
  zsum <- function(col) {
    f <- as.formula(paste0("~", col))
    m <- svyby(f, g, design, svymean, na.rm = TRUE, na.rm.all = TRUE,
               drop.empty.groups = FALSE)
    ci <- confint(m, df = df, level = 0.95)
    sdv <- vapply(levels_g, function(lv) {
      sel <- !is.na(d[[gvar]]) & d[[gvar]] == lv & !is.na(d[[col]])
      if (sum(sel) == 0) return(NA_real_)
      sub <- design[sel, ]
      n <- sum(weights(sub, "sampling") != 0)
      if (n <= 1) return(NA_real_)
      sqrt(as.numeric(coef(svyvar(f, sub))))
    }, numeric(1))
    cbind(m[[col]], SE(m), ci[, 1], ci[, 2], sdv)
  }
  for (ind in indicators) {
    aux <- paste0(ind$z, "_aux")
    out[[paste0(ind$label, "Z_pop")]] <- pop(aux, design)
    out[[paste0(ind$label, "Z_unwpop")]] <- pop(aux, design_unw)
    for (s in suffix) {
      p <- prev(paste0("prev_", ind$label, s))
      nm <- paste0(ind$label, s)
      out[[paste0(nm, "_r")]] <- p[, 1]
      out[[paste0(nm, "_se")]] <- p[, 2]
      out[[paste0(nm, "_ll")]] <- p[, 3]
      out[[paste0(nm, "_ul")]] <- p[, 4]
      out[[paste0(nm, "_llx")]] <- p[, 5]
      out[[paste0(nm, "_ulx")]] <- p[, 6]
    }
    zs <- zsum(ind$z)
    out[[paste0(ind$label, "_r")]] <- zs[, 1]
    out[[paste0(ind$label, "_se")]] <- zs[, 2]
    out[[paste0(ind$label, "_ll")]] <- zs[, 3]
    out[[paste0(ind$label, "_ul")]] <- zs[, 4]
    out[[paste0(ind$label, "_stdev")]] <- zs[, 5]
  }
  out[["HA_2_WH_2_pop"]] <- pop("prev_HA_2_WH_2", design)
  out[["HA_2_WH_2_unwpop"]] <- pop("prev_HA_2_WH_2", design_unw)
  for (nm in c("HA_2_WH_2", "HA_2_WH2")) {
    p <- prev(paste0("prev_", nm))
    out[[paste0(nm, "_r")]] <- p[, 1]
    out[[paste0(nm, "_se")]] <- p[, 2]
    out[[paste0(nm, "_ll")]] <- p[, 3]
    out[[paste0(nm, "_ul")]] <- p[, 4]
    out[[paste0(nm, "_llx")]] <- p[, 5]
    out[[paste0(nm, "_ulx")]] <- p[, 6]
  }
  out
}

scenarios <- list(
  simple = list(cluster = NULL, strata = NULL, weight = NULL),
  weights = list(cluster = NULL, strata = NULL, weight = "sw"),
  strata_weights = list(cluster = NULL, strata = "strata", weight = "sw"),
  cluster = list(cluster = "cluster", strata = NULL, weight = NULL),
  full = list(cluster = "cluster", strata = "strata", weight = "sw")
)

only <- if (length(args) >= 2) strsplit(args[2], ",")[[1]] else names(scenarios)
for (name in intersect(names(scenarios), only)) {
  sc <- scenarios[[name]]
  d <- prepare(raw, sc$cluster, sc$strata, sc$weight)
  design <- make_design(d, sc$cluster, sc$strata, sc$weight)
  design_unw <- make_design(d, sc$cluster, sc$strata, sc$weight, weighted = FALSE)
  groups <- list(c("all", "All"), c("age_group", "Age group"), c("sexf", "Sex"),
                 c("age_sex", "Age + sex"), c("desa_f", "desa"))
  res <- do.call(rbind, lapply(groups, function(g) by_group(design, design_unw, d, g[1], g[2])))
  res$df <- degf(design)
  write.csv(res, file.path(dir, paste0("expected_", name, ".csv")), row.names = FALSE,
            na = "")
  cat(name, ": ", nrow(res), " groups, df = ", degf(design), "\n", sep = "")
}
writeLines(c(R.version.string, paste("survey", as.character(packageVersion("survey")))),
           file.path(dir, "session.txt"))
