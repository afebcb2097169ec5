# Run WHO's own R packages (anthro, anthroplus) on the reference inputs and write their outputs.
#
# Usage: Rscript who_reference.R <dir>   (reads <dir>/anthro_inputs.csv, <dir>/anthroplus_inputs.csv,
#                                         writes <dir>/anthro_who.csv.gz, <dir>/anthroplus_who.csv.gz)
# Needs the packages 'anthro' and 'anthroplus' on .libPaths() (R_LIBS), see README.md.
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[[1]] else "."
suppressPackageStartupMessages({
  library(anthro)
  library(anthroplus)
})

num17 <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
as_out <- function(df) {
  for (col in names(df)) {
    v <- df[[col]]
    if (is.double(v)) df[[col]] <- num17(v)
    else df[[col]] <- ifelse(is.na(v), "", as.character(v))
  }
  df
}
na_chr <- function(x) { x <- as.character(x); x[is.na(x) | x == ""] <- NA_character_; x }

# ---- anthro -------------------------------------------------------------------------
inp <- read.csv(file.path(dir, "anthro_inputs.csv"), colClasses = "character", na.strings = character())
num <- function(x) { x[x == ""] <- NA; as.numeric(x) }
run_anthro <- function(d, in_months, z_precision) {
  anthro_zscores(
    sex = na_chr(d$sex), age = num(d$age), is_age_in_month = in_months,
    weight = num(d$weight), lenhei = num(d$lenhei), measure = na_chr(d$measure),
    headc = num(d$headc), armc = num(d$armc), triskin = num(d$triskin), subskin = num(d$subskin),
    oedema = na_chr(d$oedema), z_precision = z_precision
  )
}
zcols <- c("zlen", "zwei", "zwfl", "zbmi", "zhc", "zac", "zts", "zss")
parts <- list()
for (unit in c("days", "months")) {
  d <- inp[inp$age_unit == unit, , drop = FALSE]
  if (nrow(d) == 0) next
  res <- run_anthro(d, unit == "months", 2L)          # WHO's default output
  full <- run_anthro(d, unit == "months", 300L)       # round(z, 300) leaves z unrounded
  for (z in zcols) res[[paste0(z, "_full")]] <- full[[z]]
  parts[[unit]] <- cbind(id = d$id, res, stringsAsFactors = FALSE)
}
out <- do.call(rbind, parts)
out <- out[order(as.integer(out$id)), ]
gz <- gzfile(file.path(dir, "anthro_who.csv.gz"), "w")
write.csv(as_out(out), gz, row.names = FALSE, quote = FALSE, na = "")
close(gz)

# ---- anthroplus ---------------------------------------------------------------------
inp <- read.csv(file.path(dir, "anthroplus_inputs.csv"), colClasses = "character", na.strings = character())
res <- anthroplus_zscores(
  sex = na_chr(inp$sex), age_in_months = num(inp$age_months), oedema = na_chr(inp$oedema),
  height_in_cm = num(inp$height), weight_in_kg = num(inp$weight)
)
res <- cbind(id = inp$id, res, stringsAsFactors = FALSE)
gz <- gzfile(file.path(dir, "anthroplus_who.csv.gz"), "w")
write.csv(as_out(res), gz, row.names = FALSE, quote = FALSE, na = "")
close(gz)
cat("R", R.version$major, ".", R.version$minor, " anthro ", as.character(packageVersion("anthro")),
    " anthroplus ", as.character(packageVersion("anthroplus")), "\n", sep = "")
