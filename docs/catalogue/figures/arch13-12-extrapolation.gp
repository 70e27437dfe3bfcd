# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Copy task: held-out loss against evaluation length (trained at length 16)' noenhanced
set xlabel 'evaluation length' noenhanced
set ylabel 'cross-entropy' noenhanced
set grid
set key inside bottom right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
16 2.772588722
64 2.772588722
EOD
$s1 << EOD
16 0.1204152014
32 2.755559564
64 3.473433495
EOD
$s2 << EOD
16 0.04372257274
EOD
$s3 << EOD
16 0.01187525992
32 0.7097933441
64 1.951015204
EOD
plot $s0 using 1:2 with lines lw 2 title 'uniform guess', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'sinusoidal', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'learned', \
    $s3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'rope'
