# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Softmax over 32 keys: mean largest weight' noenhanced
set xlabel 'dimension d' noenhanced
set ylabel 'mean of max_j softmax_j' noenhanced
set logscale x
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 0.1357806873
4 0.3391865207
16 0.6261828076
64 0.8276056547
256 0.9103999996
1024 0.9505116111
4096 0.9841395984
16384 0.9897390266
65536 0.9956518149
262144 0.9976254883
1048576 0.9982373632
EOD
$s1 << EOD
1 0.1483838029
4 0.1592765277
16 0.1637388756
64 0.1621098219
256 0.1595832031
1024 0.1606932922
4096 0.1667892797
16384 0.1688774021
65536 0.173649476
262144 0.1645455096
1048576 0.1712241073
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'q.k (unscaled)', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'q.k / sqrt(d)'
