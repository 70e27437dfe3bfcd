# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Your generators: recomputation over the cache' noenhanced
set xlabel 'new tokens' noenhanced
set ylabel 'time ratio (recomputing / cached)' noenhanced
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
25 5.449372036
50 7.495813945
100 91.96504728
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'speedup'
