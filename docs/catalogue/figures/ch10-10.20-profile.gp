# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Attention entropy of each head by layer' noenhanced
set xlabel 'layer' noenhanced
set ylabel 'entropy (nats)' noenhanced
set grid
set key inside bottom left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
0 2.965945159
1 3.161337689
EOD
$s1 << EOD
0 3.029379715
1 3.169158587
EOD
$s2 << EOD
0 3.110436522
1 1.720036435
EOD
$s3 << EOD
0 3.118297725
1 3.17729005
EOD
$s4 << EOD
0 3.17805383
1 3.17805383
EOD
$s5 << EOD
0 3.178035066
1 3.178035066
EOD
$s6 << EOD
0 1.589026915
1 1.589026915
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'head 0', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'head 1', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'head 2', \
    $s3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'head 3', \
    $s4 using 1:2 with lines lw 2 title 'ln n (uniform rows)', \
    $s5 using 1:2 with lines lw 2 title 'untrained model (mean)', \
    $s6 using 1:2 with lines lw 2 title 'your threshold'
