# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Held-out accuracy on patterns at random positions' noenhanced
set xlabel 'seed' noenhanced
set ylabel 'accuracy' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 0.25
1 0.25
EOD
plot $s0 using 1:2 with lines lw 2 title 'chance'
