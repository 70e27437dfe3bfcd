# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Inference latency, one session' noenhanced
set xlabel 'session length (events)' noenhanced
set ylabel 'milliseconds (median)' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
10 0.149855
25 0.2951
50 0.424626
100 0.516109
200 0.709145
EOD
$s1 << EOD
10 0.09984
25 0.220588
50 0.431029
100 0.599709
200 1.199567
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'transformer', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'LSTM'
