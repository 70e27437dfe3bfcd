# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Grouped-query attention on StreamRec: 8 query heads' noenhanced
set xlabel 'key/value heads h_kv' noenhanced
set ylabel 'accuracy; cache size' noenhanced
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 0.125
2 0.25
4 0.5
8 1
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'KV cache per session (KiB / 100)'
