# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Your speculative decoding: a 1-layer draft for a 4-layer target' noenhanced
set xlabel 'k (proposals per round)' noenhanced
set ylabel 'acceptance rate / speedup over the target alone' noenhanced
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 1
2 1
3 1
4 1
5 1
6 1
7 1
8 1
EOD
$s1 << EOD
1 1.601849575
2 1.980990859
3 1.987734222
4 1.730385129
5 2.275314496
6 2.105571042
7 2.336499951
8 2.298353318
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'acceptance', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'speedup'
