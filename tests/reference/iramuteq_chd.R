# Run IRaMuTeQ's own CHD (Reinert's classification) on a binary Matrix Market matrix.
#
# Usage: Rscript iramuteq_chd.R IRAMUTEQ_DIR MATRIX.mtx K OUT.csv [SVD_METHOD] [SEED]
#
# IRAMUTEQ_DIR is a checkout of IRaMuTeQ (its Rscripts/ folder is sourced, nothing of it
# is copied here). The calls are those IRaMuTeQ's PrintRScript.RchdTxt writes for a
# simple classification on segments (classif_mode = 1): CHD(data1, x = nbt) with
# nbt = K - 1 and mode.patate = FALSE, mincl = round(nrow(chd1$n1) / (nbt + 1)), then
# find.terminales and make.classes. SVD_METHOD is IRaMuTeQ's svdmethod ("irlba", its
# default, or "svdR"); SEED seeds R's generator before CHD (irlba's start vector).
# OUT.csv gets: row (1-based), class (0 = unclassified), level_1..level_nbt (chd1$n1).
args <- commandArgs(trailingOnly = TRUE)
iramuteq <- args[1]
matrix_path <- args[2]
k <- as.integer(args[3])
out <- args[4]
svd.method <- if (length(args) >= 5) args[5] else "irlba"
seed <- if (length(args) >= 6) as.integer(args[6]) else 1L

suppressPackageStartupMessages({
  library(Matrix)
  library(ape)
  if (svd.method == "irlba") library(irlba)
})
scripts <- file.path(iramuteq, "Rscripts")
for (name in c("CHD.R", "chdtxt.R", "anacor.R", "Rgraph.R")) {
  source(file.path(scripts, name))
}

nbt <- k - 1
libsvdc.path <- NULL
mode.patate <- FALSE
data1 <- readMM(matrix_path)
data1 <- as(data1, "dgCMatrix")
row.names(data1) <- 1:nrow(data1)

set.seed(seed)
log <- file(tempfile(), open = "wt")
sink(log)  # CHD prints its progress; keep the output file clean
chd1 <- CHD(data1, x = nbt, mode.patate = mode.patate, svd.method = svd.method,
            libsvdc.path = libsvdc.path)
mincl <- round(nrow(chd1$n1) / (nbt + 1))
tree.tot1 <- make_tree_tot(chd1)
terminales <- find.terminales(chd1$n1, chd1$list_mere, chd1$list_fille, mincl)
tree.cut1 <- make.classes(terminales, chd1$n1, tree.tot1$tree.cl, chd1$list_fille)
sink()
close(log)

levels <- as.matrix(chd1$n1)
colnames(levels) <- paste0("level_", seq_len(ncol(levels)))
result <- data.frame(row = seq_len(nrow(levels)), class = as.integer(tree.cut1$n1[, 1]),
                     levels)
cat(sprintf("mincl=%d terminales=%s\n", mincl, paste(terminales, collapse = ",")))
write.csv(result, out, row.names = FALSE, quote = FALSE)
