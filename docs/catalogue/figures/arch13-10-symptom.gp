# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Held-out loss of a character GPT, as trained and when generating' noenhanced
set xlabel '0: the path it was trained with, 1: the generation path' noenhanced
set ylabel 'cross-entropy (nats per character)' noenhanced
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
0 2.489901328
1 2.489901328
EOD
$s1 << EOD
0 2.395244551
1 2.965164137
EOD
$s2 << EOD
0 2.489901328
1 2.491641617
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'healthy', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'trained without the causal mask', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'healthy weights, positions off by one'
