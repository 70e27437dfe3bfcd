# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Next-item accuracy on held-out StreamRec sessions' noenhanced
set xlabel 'your features + time (with --full: beside the item-only model and integer positions)' noenhanced
set ylabel 'accuracy' noenhanced
set grid
set key inside bottom right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
0.5 0.09166666667
1.5 0.09166666667
EOD
$s1 << EOD
0.5 0.07816666667
1.5 0.07816666667
EOD
$s2 << EOD
1 0.093
EOD
plot $s0 using 1:2 with lines lw 2 title 'walk ceiling, reading engagement', \
    $s1 using 1:2 with lines lw 2 title 'walk ceiling, item alone', \
    $s2 using 1:2 with points pt 7 ps 1.1 title 'held-out accuracy, every row'
