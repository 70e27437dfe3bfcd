# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Inference latency, one session' noenhanced
set xlabel 'session length (events)' noenhanced
set ylabel 'milliseconds (median)' noenhanced
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
10 0.145036
25 0.255437
50 0.384733
100 0.46709
200 0.687399
EOD
$s1 << EOD
10 0.10014
25 0.172649
50 0.325751
100 0.607738
200 1.124242
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'transformer', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'LSTM'
