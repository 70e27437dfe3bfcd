# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Training loss with your attention at two temperatures' noenhanced
set xlabel 'step' noenhanced
set ylabel 'cross-entropy' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
0 1.386294361
120 1.386294361
EOD
plot $s0 using 1:2 with lines lw 2 title 'uniform guess'
