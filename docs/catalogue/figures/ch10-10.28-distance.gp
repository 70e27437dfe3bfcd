# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Planted pairs k events apart' noenhanced
set xlabel 'planted distance k (events)' noenhanced
set ylabel 'held-out accuracy' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
4 0.974
EOD
$s1 << EOD
4 0.998
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'transformer, planted', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'LSTM, planted'
