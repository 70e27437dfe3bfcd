# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Tiny Shakespeare: validation loss, sinusoidal against learned positions' noenhanced
set xlabel 'step' noenhanced
set ylabel 'mean cross-entropy (nats)' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
0 3.407417081
200 3.407417081
EOD
$s1 << EOD
0 4.183792182
25 3.438923505
50 3.40928589
75 3.407992119
100 3.261173929
125 3.206507773
150 3.168350926
175 3.145211793
200 3.144805628
EOD
$s2 << EOD
0 4.179927927
25 3.291179419
50 3.096764394
75 2.836083009
100 2.747646485
125 2.689707531
150 2.65192577
175 2.631786051
200 2.6248346
EOD
plot $s0 using 1:2 with lines lw 2 title 'unigram', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'sinusoidal', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'learned'
