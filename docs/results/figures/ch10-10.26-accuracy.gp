# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Next-item accuracy on held-out StreamRec sessions' noenhanced
set xlabel 'model: 1 items only, 2 your features + integer positions, 3 your features + time' noenhanced
set ylabel 'accuracy' noenhanced
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
0.5 0.0455
3.5 0.0455
EOD
$s1 << EOD
0.5 0.03875
3.5 0.03875
EOD
$s2 << EOD
1 0.03818
2 0.04824
3 0.04594
EOD
plot $s0 using 1:2 with lines lw 2 title 'walk ceiling, reading engagement', \
    $s1 using 1:2 with lines lw 2 title 'walk ceiling, item alone', \
    $s2 using 1:2 with points pt 7 ps 1.1 title 'held-out accuracy, every row'
