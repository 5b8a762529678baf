# Run rainette's own rainette() on a binary Matrix Market matrix, without quanteda.
#
# Usage: Rscript rainette_chd.R RAINETTE_DIR MATRIX.mtx K OUT.csv [MIN_SPLIT_MEMBERS]
#
# RAINETTE_DIR is a checkout of rainette (github.com/juba/rainette). quanteda is not
# packaged for Debian, so rainette cannot be installed here; its R/rainette.R and
# R/utils.R are sourced as they are and its C++ helpers (src/Rcpp_functions.cpp) compiled
# with Rcpp::sourceCpp. The few quanteda calls rainette makes on a dfm are answered by
# the shims below, on a Matrix::dgCMatrix whose row names are the segments' ids: every
# step of the algorithm (order_docs with RSpectra, cpp_split_tab, switch_docs,
# select_features, the splitting loop) is rainette's code. min_segment_size = 0: each
# row is its own unit. OUT.csv gets: row (1-based), class (0 = NA, unclassified).
# Check of the shims: on the 7 x 5 matrix of rainette's tests/testthat/test_rainette1.R
# with K = 2 and MIN_SPLIT_MEMBERS = 3 this gives its published groups 2 2 1 2 2 1 2.
args <- commandArgs(trailingOnly = TRUE)
rainette_dir <- args[1]
matrix_path <- args[2]
k <- as.integer(args[3])
out <- args[4]
min_split_members <- if (length(args) >= 5) as.integer(args[5]) else 5L

suppressPackageStartupMessages({
  library(Matrix)
  library(Rcpp)
})

## quanteda shims: a "dfm" is a dgCMatrix with row names "1".."n" (the unit ids) that,
## as a dfm, stays a matrix when subset to one row or column
setClass("dfmshim", contains = "dgCMatrix")
subset_dfm <- function(x, i, j, ..., drop = FALSE) {
  m <- as(x, "dgCMatrix")
  if (missing(i)) i <- seq_len(nrow(m))
  if (missing(j)) j <- seq_len(ncol(m))
  new("dfmshim", m[i, j, drop = FALSE])
}
for (i_class in c("index", "missing")) {
  for (j_class in c("index", "missing")) {
    for (drop_class in c("missing", "logical")) {
      setMethod("[", signature(x = "dfmshim", i = i_class, j = j_class, drop = drop_class),
                subset_dfm)
    }
  }
}
docvars <- function(x, field = NULL) as.integer(rownames(x))
`docvars<-` <- function(x, field = NULL, value) x
dfm_remove <- function(x, pattern) x
dfm_weight <- function(x, scheme = "boolean", force = FALSE) {
  x <- as(x, "dgCMatrix")
  x@x[] <- 1
  new("dfmshim", x)
}
dfm_group <- function(x, groups) x
convert <- function(x, to = "matrix") as.matrix(x)

rainette_env <- new.env()
for (name in c("R/utils.R", "R/rainette.R")) {
  code <- readLines(file.path(rainette_dir, name), warn = FALSE)
  code <- gsub("quanteda::", "", code, fixed = TRUE)
  code <- gsub("rainette::", "", code, fixed = TRUE)
  eval(parse(text = code), envir = globalenv())
}
sourceCpp(file.path(rainette_dir, "src", "Rcpp_functions.cpp"))

m <- as(as(readMM(matrix_path), "CsparseMatrix"), "generalMatrix")
dimnames(m) <- list(as.character(seq_len(nrow(m))), paste0("t", seq_len(ncol(m))))
res <- suppressMessages(rainette(m, k = k, min_segment_size = 0,
                                 min_split_members = min_split_members))
group <- res$group
group[is.na(group)] <- 0L
cat(sprintf("groups=%d\n", length(unique(group[group > 0]))))
write.csv(data.frame(row = seq_len(nrow(m)), class = as.integer(group)), out,
          row.names = FALSE, quote = FALSE)
