# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Softmax over 32 keys: mean largest weight' noenhanced
set xlabel 'dimension d' noenhanced
set ylabel 'mean of max_j softmax_j' noenhanced
set logscale x
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 0.1419931301
4 0.3465303575
16 0.608967964
64 0.800915888
256 0.9071480481
1024 0.9565725026
4096 0.9816453745
16384 0.9905141792
65536 0.9924300538
262144 0.9935789061
1048576 0.9981936642
EOD
$s1 << EOD
1 0.1315482206
4 0.1613494072
16 0.1657600203
64 0.1649721321
256 0.1651536189
1024 0.1655953391
4096 0.1701155341
16384 0.1662747366
65536 0.1708643001
262144 0.1586870765
1048576 0.1668914232
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'q.k (unscaled)', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'q.k / sqrt(d)'
