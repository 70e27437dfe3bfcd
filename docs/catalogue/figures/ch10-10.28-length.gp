# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Transformer and LSTM of equal size on StreamRec' noenhanced
set xlabel 'session length (events)' noenhanced
set ylabel 'held-out accuracy' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
12 0.974
EOD
$s1 << EOD
12 0.998
EOD
$s2 << EOD
12 0.1425
EOD
$s3 << EOD
12 0.1481666667
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'transformer, planted', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'LSTM, planted', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'transformer, all positions', \
    $s3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'LSTM, all positions'
